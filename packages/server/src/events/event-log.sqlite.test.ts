import { describe } from 'vitest';
import { sqliteTestDatabase } from '../testing/databases.js';
import { describeEventLogContract } from '../testing/event-log-contract.js';

describe('EventLog on SQLite', () => {
  describeEventLogContract(sqliteTestDatabase);
});
