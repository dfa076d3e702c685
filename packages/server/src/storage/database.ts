import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DeftError } from '@deft/protocol';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';

export type DatabaseDialect = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DatabaseDialect;
  /** where the data lives, with any password removed (for logs) */
  location: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgres:// or postgresql:// → PostgreSQL; empty → SQLite at `<dataDir>/deft.db`. */
  url?: string;
  dataDir: string;
  /**
   * SQLite durability: `full` (default) fsyncs every commit, surviving power loss; `normal` survives a
   * crash of the process (the WAL is written before a commit returns) but not of the machine.
   */
  sqliteSynchronous?: 'full' | 'normal';
  /** PostgreSQL schema to use (created if missing); lets tests isolate themselves. Default `public`. */
  pgSchema?: string;
  pgPoolSize?: number;
}

/**
 * Opens the database behind the event log and the conversation store and applies pending migrations.
 * SQLite runs in WAL mode with synchronous=FULL: a commit is on disk before append() resolves.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const url = options.url?.trim() ?? '';
  const handle = /^postgres(ql)?:\/\//.test(url)
    ? await openPostgres(url, options)
    : openSqlite(options.dataDir, options.sqliteSynchronous ?? 'full');
  try {
    await migrate(handle.db);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}

function openSqlite(dataDir: string, synchronous: 'full' | 'normal'): DatabaseHandle {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'deft.db');
  let sqlite: BetterSqlite3.Database;
  try {
    sqlite = new BetterSqlite3(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
  } catch (error) {
    throw new DeftError(
      'STORAGE_UNAVAILABLE',
      `Could not open SQLite database ${file}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', location: file, close: () => db.destroy() };
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const schema = options.pgSchema ?? 'public';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema))
    throw new DeftError('CONFIG_INVALID', `Invalid PostgreSQL schema name: ${schema}`);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.pgPoolSize ?? 10,
    // every connection works inside the chosen schema
    options: schema === 'public' ? undefined : `-c search_path=${schema}`,
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Queries surface their own errors.
  });
  try {
    const client = await pool.connect();
    try {
      if (schema !== 'public') await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new DeftError(
      'STORAGE_UNAVAILABLE',
      `Could not connect to PostgreSQL at ${redact(url)}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', location: redact(url), close: () => db.destroy() };
}

async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    migrationTableName: 'deft_migrations',
    migrationLockTableName: 'deft_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new DeftError(
      'STORAGE_MIGRATION_FAILED',
      `Database migration ${failed} failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}
