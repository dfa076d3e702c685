import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './001-initial.js';
import * as settingsSecrets from './002-settings-secrets.js';
import * as conversationLoop from './003-conversation-loop.js';

/** Versioned migrations, applied in name order at start-up. Never edit a released one: add the next. */
const MIGRATIONS: Record<string, Migration> = {
  '001-initial': initial,
  '002-settings-secrets': settingsSecrets,
  '003-conversation-loop': conversationLoop,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
