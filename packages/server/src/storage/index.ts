export {
  type DatabaseDialect,
  type DatabaseHandle,
  type OpenDatabaseOptions,
  openDatabase,
} from './database.js';
export type { ConversationRow, Database, EventRow } from './schema.js';
