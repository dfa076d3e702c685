import { randomBytes } from 'node:crypto';
import {
  ConversationId,
  type ConversationMetadataJson,
  ConversationTrigger,
  DeftError,
  defaultConversationTitle,
  GitProvider,
} from '@deft/protocol';
import type { Kysely, Selectable } from 'kysely';
import type { ConversationRow, Database, DatabaseHandle } from '../storage/index.js';

/** reference §5.3 metadata.json fields, as Deft keeps them (one row per conversation). */
export interface ConversationMetadata {
  conversation_id: string;
  title: string;
  created_at: string;
  last_updated_at: string | null;
  trigger: ConversationTrigger | null;
  selected_repository: string | null;
  selected_branch: string | null;
  git_provider: GitProvider | null;
  user_id: string | null;
  llm_model: string | null;
  accumulated_cost: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  sandbox_id: string | null;
  pr_number: number[];
  /** where the agent loop should be; `running` ones are brought back after a restart */
  loop_state: LoopState;
  /** the host folder mounted as the sandbox's /workspace; null = the default under the data dir */
  workspace_dir: string | null;
}

export type LoopState = 'running' | 'paused' | 'stopped';

export type NewConversation = Partial<Omit<ConversationMetadata, 'created_at'>> & { created_at?: string };
export type ConversationPatch = Partial<Omit<ConversationMetadata, 'conversation_id' | 'created_at'>>;

export interface ListConversationsOptions {
  /** 1..100, default 20 */
  limit?: number;
  /** the opaque `next_page_id` of the previous page */
  pageId?: string | null;
  selectedRepository?: string;
  trigger?: ConversationTrigger;
  userId?: string | null;
}

export interface ConversationPage {
  items: ConversationMetadata[];
  next_page_id: string | null;
}

/**
 * Conversation metadata in the same database as the event log. Listing is newest first with keyset
 * pagination over (created_at, conversation_id), so any page costs one index range scan, at 100 or 100,000
 * conversations alike.
 */
export class ConversationStore {
  readonly #db: Kysely<Database>;
  readonly #now: () => Date;

  constructor(database: DatabaseHandle, options: { now?: () => Date } = {}) {
    this.#db = database.db;
    this.#now = options.now ?? (() => new Date());
  }

  async create(input: NewConversation = {}): Promise<ConversationMetadata> {
    const id = input.conversation_id ?? randomBytes(16).toString('hex');
    if (!ConversationId.safeParse(id).success) {
      throw new DeftError('CONVERSATION_ID_INVALID', 'conversation_id must be 32 lowercase hex characters');
    }
    const metadata: ConversationMetadata = {
      conversation_id: id,
      title: input.title ?? defaultConversationTitle(id),
      created_at: input.created_at ?? this.#now().toISOString(),
      last_updated_at: input.last_updated_at ?? null,
      trigger: input.trigger ?? 'gui',
      selected_repository: input.selected_repository ?? null,
      selected_branch: input.selected_branch ?? null,
      git_provider: input.git_provider ?? null,
      user_id: input.user_id ?? null,
      llm_model: input.llm_model ?? null,
      accumulated_cost: input.accumulated_cost ?? 0,
      prompt_tokens: input.prompt_tokens ?? 0,
      completion_tokens: input.completion_tokens ?? 0,
      total_tokens: input.total_tokens ?? 0,
      sandbox_id: input.sandbox_id ?? null,
      pr_number: input.pr_number ?? [],
      loop_state: input.loop_state ?? 'stopped',
      workspace_dir: input.workspace_dir ?? null,
    };
    validate(metadata);
    try {
      await this.#db.insertInto('conversations').values(toRow(metadata)).execute();
    } catch (error) {
      if (await this.get(id))
        throw new DeftError('VALIDATION_FAILED', `Conversation ${id} already exists`, { cause: error });
      throw new DeftError(
        'STORAGE_UNAVAILABLE',
        `Creating conversation ${id} failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return metadata;
  }

  async get(conversationId: string): Promise<ConversationMetadata | null> {
    const row = await this.#db
      .selectFrom('conversations')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  /** Applies the patch and returns the updated metadata; CONVERSATION_NOT_FOUND when there is none. */
  async update(conversationId: string, patch: ConversationPatch): Promise<ConversationMetadata> {
    const current = await this.get(conversationId);
    if (!current) throw new DeftError('CONVERSATION_NOT_FOUND', `Conversation ${conversationId} not found`);
    const next = {
      ...current,
      ...stripUndefined(patch),
      conversation_id: current.conversation_id,
      created_at: current.created_at,
    };
    validate(next);
    // Only the patched columns are written, so concurrent patches of different fields (a title, the costs)
    // never undo each other.
    const row = toRow(next) as unknown as Record<string, unknown>;
    const columns = Object.fromEntries(
      Object.keys(stripUndefined(patch))
        .filter((key) => key !== 'conversation_id' && key !== 'created_at')
        .map((key) => [key, row[key]]),
    );
    if (Object.keys(columns).length === 0) return next;
    await this.#db
      .updateTable('conversations')
      .set(columns)
      .where('conversation_id', '=', conversationId)
      .execute();
    return next;
  }

  /** true when a conversation was deleted. */
  async delete(conversationId: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('conversations')
      .where('conversation_id', '=', conversationId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The ids of the conversations whose loop is in the given state, most recently updated first. */
  async idsByLoopState(state: LoopState, limit = 10_000): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('conversations')
      .select('conversation_id')
      .where('loop_state', '=', state)
      .orderBy('last_updated_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => row.conversation_id);
  }

  async list(options: ListConversationsOptions = {}): Promise<ConversationPage> {
    const limit = options.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw new DeftError('VALIDATION_FAILED', 'limit must be between 1 and 100');
    let query = this.#db.selectFrom('conversations').selectAll();
    if (options.selectedRepository !== undefined)
      query = query.where('selected_repository', '=', options.selectedRepository);
    if (options.trigger !== undefined) query = query.where('trigger', '=', options.trigger);
    if (options.userId !== undefined) {
      query =
        options.userId === null
          ? query.where('user_id', 'is', null)
          : query.where('user_id', '=', options.userId);
    }
    if (options.pageId) {
      const [createdAt, id] = decodePageId(options.pageId);
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', createdAt),
          eb.and([eb('created_at', '=', createdAt), eb('conversation_id', '<', id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('conversation_id', 'desc')
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit).map(fromRow);
    const last = items[items.length - 1];
    return {
      items,
      next_page_id: rows.length > limit && last ? encodePageId(last.created_at, last.conversation_id) : null,
    };
  }
}

/** reference §5.3 / Appendix A: the metadata.json form of a conversation. */
export function toMetadataJson(metadata: ConversationMetadata): ConversationMetadataJson {
  return {
    conversation_id: metadata.conversation_id,
    selected_repository: metadata.selected_repository,
    user_id: metadata.user_id,
    selected_branch: metadata.selected_branch,
    git_provider: metadata.git_provider,
    title: metadata.title,
    last_updated_at: metadata.last_updated_at,
    trigger: metadata.trigger,
    pr_number: metadata.pr_number,
    created_at: metadata.created_at,
    llm_model: metadata.llm_model,
    accumulated_cost: metadata.accumulated_cost,
    prompt_tokens: metadata.prompt_tokens,
    completion_tokens: metadata.completion_tokens,
    total_tokens: metadata.total_tokens,
    sandbox_id: metadata.sandbox_id,
    conversation_version: null,
  };
}

function encodePageId(createdAt: string, conversationId: string): string {
  return Buffer.from(JSON.stringify([createdAt, conversationId])).toString('base64url');
}

function decodePageId(pageId: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(pageId, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string'))
      return value as [string, string];
  } catch {
    // fall through to the coded error
  }
  throw new DeftError('CONVERSATION_PAGE_ID_INVALID');
}

function validate(metadata: ConversationMetadata): void {
  if (metadata.trigger !== null && !ConversationTrigger.safeParse(metadata.trigger).success) {
    throw new DeftError('VALIDATION_FAILED', `Unknown trigger: ${metadata.trigger}`);
  }
  if (metadata.git_provider !== null && !GitProvider.safeParse(metadata.git_provider).success) {
    throw new DeftError('VALIDATION_FAILED', `Unknown git provider: ${metadata.git_provider}`);
  }
  if (Number.isNaN(Date.parse(metadata.created_at)))
    throw new DeftError('VALIDATION_FAILED', 'created_at must be an ISO date');
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function toRow(metadata: ConversationMetadata): ConversationRow {
  return { ...metadata, pr_number: JSON.stringify(metadata.pr_number) };
}

function fromRow(row: Selectable<ConversationRow>): ConversationMetadata {
  return {
    conversation_id: row.conversation_id,
    title: row.title ?? defaultConversationTitle(row.conversation_id),
    created_at: row.created_at,
    last_updated_at: row.last_updated_at,
    trigger: row.trigger as ConversationTrigger | null,
    selected_repository: row.selected_repository,
    selected_branch: row.selected_branch,
    git_provider: row.git_provider as GitProvider | null,
    user_id: row.user_id,
    llm_model: row.llm_model,
    accumulated_cost: Number(row.accumulated_cost),
    prompt_tokens: Number(row.prompt_tokens),
    completion_tokens: Number(row.completion_tokens),
    total_tokens: Number(row.total_tokens),
    sandbox_id: row.sandbox_id,
    pr_number: JSON.parse(row.pr_number) as number[],
    loop_state: (row.loop_state as LoopState | undefined) ?? 'stopped',
    workspace_dir: row.workspace_dir ?? null,
  };
}
