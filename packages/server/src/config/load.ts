import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DeftError } from '@deft/protocol';
import { parse as parseToml } from 'smol-toml';
import type { z } from 'zod';
import { ConfigSchema, type DeftConfig } from './schema.js';

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Explicit config file (`--config`); when absent `$DEFT_HOME/config.toml` is read if it exists. */
  configFile?: string;
  /** Highest-precedence values, e.g. from command-line flags. */
  overrides?: Record<string, unknown>;
}

/**
 * defaults ← config.toml ← DEFT_* environment ← overrides. Nested keys in the environment use a double
 * underscore: DEFT_SANDBOX__NETWORK=egress. PORT, HOST, DEFT_HOME, DATABASE_URL and SESSION_API_KEY are
 * honoured as the conventional spellings. An invalid value throws CONFIG_INVALID naming the key and its source.
 */
export function loadConfig(options: LoadConfigOptions = {}): DeftConfig {
  const env = options.env ?? process.env;
  const dataDir = resolve(env.DEFT_HOME || join(homedir(), '.deft'));
  const sources = new Map<string, string>();

  const merged: Record<string, unknown> = { data_dir: dataDir };
  sources.set('data_dir', env.DEFT_HOME ? 'DEFT_HOME' : 'default');

  const file = options.configFile ?? join(dataDir, 'config.toml');
  const fromFile = readTomlFile(file, options.configFile !== undefined);
  mergeInto(merged, fromFile, `${file}`, sources);

  mergeInto(merged, conventionalEnv(env), 'environment', sources);
  mergeInto(merged, deftEnv(env, sources), '', sources);
  mergeInto(merged, options.overrides ?? {}, 'command line', sources);

  const result = ConfigSchema.safeParse(merged);
  if (!result.success) throw configError(result.error, sources);
  const config = result.data;
  config.data_dir = resolve(config.data_dir);
  return config;
}

function readTomlFile(file: string, required: boolean): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new DeftError(
      'CONFIG_FILE_UNREADABLE',
      `Config file ${file} could not be read: ${(error as Error).message}`,
    );
  }
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (error) {
    throw new DeftError(
      'CONFIG_INVALID',
      `Config file ${file} is not valid TOML: ${(error as Error).message}`,
    );
  }
}

function conventionalEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (env.PORT) out.port = env.PORT;
  if (env.HOST) out.host = env.HOST;
  if (env.DATABASE_URL) out.database_url = env.DATABASE_URL;
  if (env.SESSION_API_KEY) out.session_api_key = env.SESSION_API_KEY;
  return out;
}

/** DEFT_FOO → foo, DEFT_SANDBOX__NETWORK → sandbox.network. DEFT_HOME is the data dir, handled above. */
function deftEnv(env: NodeJS.ProcessEnv, sources: Map<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    if (
      !name.startsWith('DEFT_') ||
      name === 'DEFT_HOME' ||
      name === 'DEFT_SECRET_KEY' ||
      value === undefined
    )
      continue;
    if (name.startsWith('DEFT_TEST_')) continue;
    const path = name.slice('DEFT_'.length).toLowerCase().split('__');
    let node = out;
    for (const segment of path.slice(0, -1)) {
      node[segment] = (node[segment] as Record<string, unknown>) ?? {};
      node = node[segment] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
    sources.set(path.join('.'), name);
  }
  return out;
}

function mergeInto(
  target: Record<string, unknown>,
  source: Record<string, unknown>,
  origin: string,
  sources: Map<string, string>,
  prefix = '',
): void {
  for (const [key, value] of Object.entries(source)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(value)) {
      const existing = isPlainObject(target[key]) ? (target[key] as Record<string, unknown>) : {};
      target[key] = existing;
      mergeInto(existing, value, origin, sources, path);
    } else {
      target[key] = value;
      if (origin) sources.set(path, origin);
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function configError(error: z.ZodError, sources: Map<string, string>): DeftError {
  const lines = error.issues.map((issue) => {
    const key = issue.path.join('.') || '(root)';
    const source = sources.get(key);
    const unknownKeys =
      issue.code === 'unrecognized_keys'
        ? ` ${issue.keys.map((k) => (key === '(root)' ? k : `${key}.${k}`)).join(', ')}`
        : '';
    return `${key}${unknownKeys}: ${issue.message}${source ? ` (from ${source})` : ''}`;
  });
  return new DeftError('CONFIG_INVALID', `Invalid configuration: ${lines.join('; ')}`, {
    details: { issues: error.issues.map((i) => ({ key: i.path.join('.'), message: i.message })) },
  });
}
