import {
  DeftError,
  SETTINGS_DEFAULTS,
  SETTINGS_KEEP_WHEN_NULL,
  type Settings,
  type SettingsResponse,
  type SettingsUpdate,
} from '@deft/protocol';
import type { Kysely } from 'kysely';
import type { Database, DatabaseHandle } from '../storage/index.js';
import type { SecretCipher } from './cipher.js';

const SECRET_FIELDS = ['llm_api_key', 'search_api_key', 'sandbox_api_key'] as const;
/** Single-user mode keeps everything under one key; multi-user deployments would use the user id. */
export const SINGLE_USER = 'local';

/**
 * Settings (reference §1.3) in the database, with every secret field encrypted at rest (AES-256-GCM) and
 * never returned: GET answers the `_set` flags instead.
 */
export class SettingsStore {
  readonly #db: Kysely<Database>;
  readonly #cipher: SecretCipher;

  readonly #overlay: Partial<Settings> | null;

  /**
   * `overlay`: values that win over the stored ones when the server reads its settings, never saved — how
   * `deft run --model M` runs one task with another model without touching what the user saved. With an
   * overlay, unsaved settings read as the defaults plus the overlay.
   */
  constructor(database: DatabaseHandle, cipher: SecretCipher, options: { overlay?: Partial<Settings> } = {}) {
    this.#db = database.db;
    this.#cipher = cipher;
    this.#overlay = options.overlay
      ? (Object.fromEntries(
          Object.entries(options.overlay).filter(([, value]) => value !== undefined),
        ) as Partial<Settings>)
      : null;
  }

  /** The settings with secrets decrypted (for the server's own use), or null before the first save. */
  async load(userKey = SINGLE_USER): Promise<Settings | null> {
    const stored = await this.#loadStored(userKey);
    if (!this.#overlay) return stored;
    return { ...(stored ?? SETTINGS_DEFAULTS), ...this.#overlay };
  }

  async #loadStored(userKey: string): Promise<Settings | null> {
    const row = await this.#db
      .selectFrom('settings')
      .select('body')
      .where('user_key', '=', userKey)
      .executeTakeFirst();
    if (!row) return null;
    const stored = JSON.parse(row.body) as Settings;
    return this.#transformSecrets({ ...SETTINGS_DEFAULTS, ...stored }, (value) =>
      this.#cipher.decrypt(value),
    );
  }

  /** POST /api/settings: merge a partial update; nulls keep the stored value of the keys the reference lists. */
  async save(update: SettingsUpdate, userKey = SINGLE_USER): Promise<Settings> {
    const current = (await this.#loadStored(userKey)) ?? { ...SETTINGS_DEFAULTS };
    const next: Settings = { ...current };
    for (const [key, value] of Object.entries(update) as [keyof Settings, unknown][]) {
      if (value === null && (SETTINGS_KEEP_WHEN_NULL as readonly string[]).includes(key)) continue;
      if (value === undefined) continue;
      (next as Record<string, unknown>)[key] = value;
    }
    const stored = this.#transformSecrets(next, (value) => this.#cipher.encrypt(value));
    const body = JSON.stringify(stored);
    const updatedAt = new Date().toISOString();
    await this.#db
      .insertInto('settings')
      .values({ user_key: userKey, body, updated_at: updatedAt })
      .onConflict((oc) => oc.column('user_key').doUpdateSet({ body, updated_at: updatedAt }))
      .execute();
    return next;
  }

  /** A copy of the settings with every secret field (API keys, provider tokens) passed through `transform`. */
  #transformSecrets(settings: Settings, transform: (value: string) => string): Settings {
    const out: Settings = { ...settings };
    for (const field of SECRET_FIELDS) out[field] = settings[field] ? transform(settings[field]) : null;
    const tokens = (settings.secrets_store?.provider_tokens ?? {}) as Record<
      string,
      { token?: string; host?: string | null }
    >;
    out.secrets_store = {
      provider_tokens: Object.fromEntries(
        Object.entries(tokens).map(([name, value]) => [
          name,
          { ...value, token: value.token ? transform(value.token) : '' },
        ]),
      ),
    };
    return out;
  }

  /** GET /api/settings: secrets blanked, `_set` flags added (reference §1.3). */
  static toResponse(settings: Settings): SettingsResponse {
    const tokens = (settings.secrets_store?.provider_tokens ?? {}) as Record<
      string,
      { token?: string; host?: string | null }
    >;
    return {
      ...settings,
      llm_api_key: null,
      search_api_key: null,
      sandbox_api_key: null,
      secrets_store: { provider_tokens: {} },
      llm_api_key_set: Boolean(settings.llm_api_key),
      search_api_key_set: Boolean(settings.search_api_key),
      provider_tokens_set: Object.fromEntries(
        Object.entries(tokens)
          .filter(([, value]) => value.token)
          .map(([name, value]) => [name, value.host ?? null]),
      ),
    };
  }
}

/** Custom secrets (reference §1.3 /api/secrets), values encrypted at rest and never returned. */
export class SecretStore {
  readonly #db: Kysely<Database>;
  readonly #cipher: SecretCipher;

  constructor(database: DatabaseHandle, cipher: SecretCipher) {
    this.#db = database.db;
    this.#cipher = cipher;
  }

  async list(userKey = SINGLE_USER): Promise<{ name: string; description: string | null }[]> {
    return this.#db
      .selectFrom('secrets')
      .select(['name', 'description'])
      .where('user_key', '=', userKey)
      .orderBy('name')
      .execute();
  }

  /** name → value, decrypted: for the sandbox environment and for masking. */
  async values(userKey = SINGLE_USER): Promise<Record<string, string>> {
    const rows = await this.#db
      .selectFrom('secrets')
      .select(['name', 'value'])
      .where('user_key', '=', userKey)
      .execute();
    return Object.fromEntries(rows.map((row) => [row.name, this.#cipher.decrypt(row.value)]));
  }

  async create(
    input: { name: string; value: string; description?: string | null },
    userKey = SINGLE_USER,
  ): Promise<void> {
    if (await this.#exists(input.name, userKey))
      throw new DeftError('SECRET_EXISTS', `Secret ${input.name} already exists`);
    await this.#db
      .insertInto('secrets')
      .values({
        user_key: userKey,
        name: input.name,
        value: this.#cipher.encrypt(input.value),
        description: input.description ?? null,
        created_at: new Date().toISOString(),
      })
      .execute();
  }

  /** Renames / re-describes a secret, keeping its value. */
  async update(
    id: string,
    input: { name: string; description?: string | null },
    userKey = SINGLE_USER,
  ): Promise<void> {
    if (!(await this.#exists(id, userKey)))
      throw new DeftError('SECRET_NOT_FOUND', `Secret with ID ${id} not found`);
    if (input.name !== id && (await this.#exists(input.name, userKey)))
      throw new DeftError('SECRET_EXISTS', `Secret ${input.name} already exists`);
    await this.#db
      .updateTable('secrets')
      .set({ name: input.name, description: input.description ?? null })
      .where('user_key', '=', userKey)
      .where('name', '=', id)
      .execute();
  }

  async delete(id: string, userKey = SINGLE_USER): Promise<void> {
    const result = await this.#db
      .deleteFrom('secrets')
      .where('user_key', '=', userKey)
      .where('name', '=', id)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0)
      throw new DeftError('SECRET_NOT_FOUND', `Secret with ID ${id} not found`);
  }

  async #exists(name: string, userKey: string): Promise<boolean> {
    return Boolean(
      await this.#db
        .selectFrom('secrets')
        .select('name')
        .where('user_key', '=', userKey)
        .where('name', '=', name)
        .executeTakeFirst(),
    );
  }
}
