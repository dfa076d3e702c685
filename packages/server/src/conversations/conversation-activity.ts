import type { LlmClient } from '@deft/agent';
import { defaultConversationTitle } from '@deft/protocol';
import type { StoredEvent } from '../events/index.js';
import type { Logger } from '../logging/logger.js';
import type { ConversationPatch, ConversationStore } from './metadata-store.js';

const TITLE_PROMPT =
  'You write titles for conversations between a user and a coding agent. Given the first message of a ' +
  'conversation, reply with a concise title of at most 50 characters that captures the task. Reply with the ' +
  'title only: no quotes, no punctuation at the end.';

/** reference §5.1 fallback: the first 30 characters of the first user message, with `...` when cut. */
export function fallbackTitle(message: string): string {
  const text = message.replace(/\s+/g, ' ').trim();
  return text.length > 30 ? `${text.slice(0, 30)}...` : text;
}

/** reference §5.1: asks the model for a title of ≤ 50 characters, else the fallback. */
export async function generateTitle(
  llm: LlmClient | null,
  message: string,
  timeoutMs: number,
): Promise<string> {
  if (llm && message.trim()) {
    try {
      const response = await llm.complete(
        {
          purpose: 'title',
          messages: [
            { role: 'system', content: TITLE_PROMPT },
            { role: 'user', content: message.slice(0, 4_000) },
          ],
          maxOutputTokens: 40,
          temperature: 0,
        },
        { signal: AbortSignal.timeout(timeoutMs) },
      );
      const title = response.text
        .trim()
        .replace(/^["'`]+|["'`]+$/g, '')
        .trim();
      if (title && title.length <= 50 && !title.includes('\n')) return title;
    } catch {
      // the fallback below
    }
  }
  return fallbackTitle(message);
}

export interface ActivityDeps {
  conversations: ConversationStore;
  logger: Logger;
  /** the LLM of the conversation's settings, for titles; null = fallback titles only */
  titleLlm: (conversationId: string) => LlmClient | null;
  /** the title-update message of reference §2.3 for the conversation's room */
  onTitle: (conversationId: string, title: string) => void;
  /** ms between metadata writes of one conversation (they are coalesced) */
  flushDelayMs?: number;
  titleTimeoutMs?: number;
}

interface Pending {
  patch: ConversationPatch;
  timer: NodeJS.Timeout | null;
  writing: Promise<void>;
}

/**
 * reference §5.1 "updated_at callback": every event of a running conversation moves `last_updated_at`,
 * copies the cost and token totals from its `llm_metrics`, and — while the title is still the default — the
 * first user message gets a title. Writes are coalesced per conversation so a busy agent costs one metadata
 * update per `flushDelayMs`, not one per event.
 */
export class ConversationActivity {
  readonly #deps: ActivityDeps;
  readonly #pending = new Map<string, Pending>();
  readonly #titled = new Set<string>();

  constructor(deps: ActivityDeps) {
    this.#deps = deps;
  }

  observe(conversationId: string, event: StoredEvent): void {
    const patch: ConversationPatch = { last_updated_at: event.timestamp };
    const metrics = (event as { llm_metrics?: LlmMetricsJson }).llm_metrics;
    if (metrics) {
      patch.accumulated_cost = metrics.accumulated_cost ?? 0;
      const usage = metrics.accumulated_token_usage;
      if (usage) {
        patch.prompt_tokens = usage.prompt_tokens ?? 0;
        patch.completion_tokens = usage.completion_tokens ?? 0;
        patch.total_tokens = (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0);
      }
    }
    this.#schedule(conversationId, patch);
    if ('action' in event && event.action === 'message' && event.source === 'user')
      void this.#maybeTitle(conversationId, String(event.args.content ?? ''));
  }

  /** Writes what is pending for a conversation now (before a stop, a pause or shutdown). */
  async flush(conversationId: string): Promise<void> {
    const pending = this.#pending.get(conversationId);
    if (!pending) return;
    if (pending.timer) clearTimeout(pending.timer);
    pending.timer = null;
    await this.#write(conversationId, pending);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pending.keys()].map((id) => this.flush(id)));
  }

  #schedule(conversationId: string, patch: ConversationPatch): void {
    let pending = this.#pending.get(conversationId);
    if (!pending) {
      pending = { patch: {}, timer: null, writing: Promise.resolve() };
      this.#pending.set(conversationId, pending);
    }
    Object.assign(pending.patch, patch);
    if (pending.timer) return;
    const entry = pending;
    pending.timer = setTimeout(() => {
      entry.timer = null;
      void this.#write(conversationId, entry);
    }, this.#deps.flushDelayMs ?? 250);
  }

  #write(conversationId: string, pending: Pending): Promise<void> {
    const patch = pending.patch;
    pending.patch = {};
    pending.writing = pending.writing
      .then(async () => {
        if (Object.keys(patch).length === 0) return;
        await this.#deps.conversations.update(conversationId, patch);
      })
      .catch((error: unknown) =>
        this.#deps.logger.warn({ conversation_id: conversationId, err: error }, 'metadata update failed'),
      )
      .finally(() => {
        if (!pending.timer && Object.keys(pending.patch).length === 0) this.#pending.delete(conversationId);
      });
    return pending.writing;
  }

  async #maybeTitle(conversationId: string, message: string): Promise<void> {
    if (this.#titled.has(conversationId)) return;
    this.#titled.add(conversationId);
    const metadata = await this.#deps.conversations.get(conversationId);
    if (!metadata || metadata.title !== defaultConversationTitle(conversationId)) return;
    const title = await generateTitle(
      this.#deps.titleLlm(conversationId),
      message,
      this.#deps.titleTimeoutMs ?? 15_000,
    );
    if (!title) return;
    // The user may have renamed it while the model was thinking.
    const current = await this.#deps.conversations.get(conversationId);
    if (!current || current.title !== defaultConversationTitle(conversationId)) return;
    await this.#deps.conversations.update(conversationId, { title });
    this.#deps.onTitle(conversationId, title);
  }
}

interface LlmMetricsJson {
  accumulated_cost?: number;
  accumulated_token_usage?: { prompt_tokens?: number; completion_tokens?: number };
}
