import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type DatabaseHandle, openDatabase } from '../storage/index.js';

/** A database for one test file: `open()` may be called again to reopen the same data (restart). */
export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  url: string;
  dataDir: string;
  pgSchema?: string;
  open(): Promise<DatabaseHandle>;
  dispose(): Promise<void>;
}

export const POSTGRES_URL = process.env.DEFT_TEST_DATABASE_URL ?? '';

/** One line saying why PostgreSQL tests do not run; CI=true turns a missing database into a failure. */
export const POSTGRES_SKIP_REASON = POSTGRES_URL
  ? ''
  : 'DEFT_TEST_DATABASE_URL is not set (npm test starts PostgreSQL)';
export const POSTGRES_REQUIRED = process.env.CI === 'true';

export function sqliteTestDatabase(): TestDatabase {
  const dataDir = mkdtempSync(join(tmpdir(), 'deft-db-'));
  return {
    name: 'sqlite',
    url: '',
    dataDir,
    open: () => openDatabase({ dataDir }),
    dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** A private schema in the test PostgreSQL, so test files running in parallel never see each other. */
export function postgresTestDatabase(): TestDatabase {
  const dataDir = mkdtempSync(join(tmpdir(), 'deft-db-'));
  const pgSchema = `t_${randomBytes(6).toString('hex')}`;
  return {
    name: 'postgres',
    url: POSTGRES_URL,
    dataDir,
    pgSchema,
    open: () => openDatabase({ url: POSTGRES_URL, dataDir, pgSchema }),
    dispose: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
