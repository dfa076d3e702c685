import { describe } from 'vitest';
import { describeConversationStoreContract } from '../testing/conversation-store-contract.js';
import { sqliteTestDatabase } from '../testing/databases.js';

describe('ConversationStore on SQLite', () => {
  describeConversationStoreContract(sqliteTestDatabase);
});
