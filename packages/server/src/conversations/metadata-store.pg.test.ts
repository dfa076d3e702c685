import { describe, it } from 'vitest';
import { describeConversationStoreContract } from '../testing/conversation-store-contract.js';
import { POSTGRES_REQUIRED, POSTGRES_SKIP_REASON, postgresTestDatabase } from '../testing/databases.js';

if (POSTGRES_SKIP_REASON && POSTGRES_REQUIRED) {
  it('ConversationStore on PostgreSQL: a database is required when CI=true', () => {
    throw new Error(POSTGRES_SKIP_REASON);
  });
}

describe.skipIf(Boolean(POSTGRES_SKIP_REASON))(
  `ConversationStore on PostgreSQL${POSTGRES_SKIP_REASON ? ` (skipped: ${POSTGRES_SKIP_REASON})` : ''}`,
  () => {
    describeConversationStoreContract(postgresTestDatabase);
  },
);
