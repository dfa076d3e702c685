import { describe, it } from 'vitest';
import { POSTGRES_REQUIRED, POSTGRES_SKIP_REASON, postgresTestDatabase } from '../testing/databases.js';
import { describeEventLogContract } from '../testing/event-log-contract.js';

if (POSTGRES_SKIP_REASON && POSTGRES_REQUIRED) {
  it('EventLog on PostgreSQL: a database is required when CI=true', () => {
    throw new Error(POSTGRES_SKIP_REASON);
  });
}

describe.skipIf(Boolean(POSTGRES_SKIP_REASON))(
  `EventLog on PostgreSQL${POSTGRES_SKIP_REASON ? ` (skipped: ${POSTGRES_SKIP_REASON})` : ''}`,
  () => {
    describeEventLogContract(postgresTestDatabase);
  },
);
