import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './001-initial.js';

/** Versioned migrations, applied in name order at start-up. Never edit a released one: add the next. */
const MIGRATIONS: Record<string, Migration> = {
  '001-initial': initial,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
