import type { DeftConfig } from '../config/index.js';
import { ConversationStore, removeConversation } from '../conversations/index.js';
import { EventLog } from '../events/index.js';
import { loadSecretKey, SecretCipher } from '../secrets/cipher.js';
import { SettingsStore } from '../secrets/settings-store.js';
import { type DatabaseHandle, openDatabase } from '../storage/index.js';

/** A data dir's stores without a server: what `deft conversations` and `deft doctor` read. */
export interface LocalStores {
  database: DatabaseHandle;
  conversations: ConversationStore;
  events: EventLog;
  settings: SettingsStore;
  /** Deletes a conversation's metadata, events and (when Deft made it) its workspace; false when unknown. */
  deleteConversation(conversationId: string): Promise<boolean>;
  close(): Promise<void>;
}

export async function openLocalStores(config: DeftConfig): Promise<LocalStores> {
  const database = await openDatabase({
    url: config.database_url,
    dataDir: config.data_dir,
    sqliteSynchronous: config.sqlite_synchronous,
  });
  const conversations = new ConversationStore(database);
  const events = new EventLog(database);
  const settings = new SettingsStore(database, new SecretCipher(loadSecretKey({ dataDir: config.data_dir })));
  return {
    database,
    conversations,
    events,
    settings,
    deleteConversation: (conversationId) =>
      removeConversation({ conversations, events, dataDir: config.data_dir }, conversationId),
    async close() {
      await events.close();
      await database.close();
    },
  };
}
