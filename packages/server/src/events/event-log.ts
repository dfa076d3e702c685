import { DeftError, type DeftEvent, serializeEvent } from '@deft/protocol';
import type { DatabaseHandle } from '../storage/index.js';
import { EventStore } from './event-store.js';
import type { EventSearchQuery } from './search-query.js';
import { SecretMasker } from './secret-masker.js';
import type { StoredEvent } from './stored-event.js';
import { EventSubscription } from './subscription.js';

export interface EventLogOptions {
  /** Most events committed in one transaction (group commit). */
  maxBatch?: number;
  /** Default bound of a subscriber's queue before it is dropped. */
  maxSubscriberQueue?: number;
  replayPageSize?: number;
  now?: () => Date;
  /** Called after each committed batch with its size (metrics). */
  onCommitted?: (count: number) => void;
}

interface PendingAppend {
  conversationId: string;
  event: DeftEvent;
  resolve: (event: StoredEvent) => void;
  reject: (error: unknown) => void;
}

/**
 * The conversation event log (ARCHITECTURE.md "The event log"). One writer per conversation in this
 * process: appends are queued and committed in batches (group commit) by a single flush loop, so ids are
 * consecutive from 0 per conversation, and every append resolves — and every subscriber sees the event — only
 * after its transaction committed (persist, then publish).
 */
export class EventLog {
  readonly #store: EventStore;
  readonly #masker = new SecretMasker();
  readonly #nextId = new Map<string, number>();
  readonly #subscribers = new Map<string, Set<EventSubscription>>();
  #queue: PendingAppend[] = [];
  #flushing: Promise<void> | undefined;
  #closed = false;
  readonly #options: Required<EventLogOptions>;

  constructor(database: DatabaseHandle, options: EventLogOptions = {}) {
    this.#store = new EventStore(database);
    this.#options = {
      maxBatch: options.maxBatch ?? 2000,
      maxSubscriberQueue: options.maxSubscriberQueue ?? 10_000,
      replayPageSize: options.replayPageSize ?? 1000,
      now: options.now ?? (() => new Date()),
      onCommitted: options.onCommitted ?? (() => undefined),
    };
  }

  /** Persists the event with the next id and a timestamp; resolves with the stored form once committed. */
  append(conversationId: string, event: DeftEvent): Promise<StoredEvent> {
    if (this.#closed) return Promise.reject(new DeftError('EVENT_LOG_CLOSED'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ conversationId, event, resolve, reject });
      this.#flushing ??= this.#flushLoop();
    });
  }

  /** Values masked as `<secret_hidden>` in every event appended from now on; `'*'` for all conversations. */
  registerSecrets(conversationId: string, values: Iterable<string>): void {
    this.#masker.register(conversationId, values);
  }

  get(conversationId: string, id: number): Promise<StoredEvent | null> {
    return this.#store.get(conversationId, id);
  }

  /** The highest id stored for the conversation, or -1 when it has none. */
  async latestId(conversationId: string): Promise<number> {
    await this.#flushing;
    return this.#nextId.has(conversationId)
      ? this.#nextId.get(conversationId)! - 1
      : this.#store.latestId(conversationId);
  }

  /** reference §1.3 GET /events semantics; `has_more` tells whether another page exists. */
  search(
    conversationId: string,
    query: EventSearchQuery = {},
  ): Promise<{ events: StoredEvent[]; has_more: boolean }> {
    return this.#store.search(conversationId, query);
  }

  /**
   * Every event with id > afterId, stored ones first, then live ones, in order, without gap or duplicate.
   * A subscriber whose unread queue passes `maxQueue` is dropped: its iterator throws SUBSCRIBER_TOO_SLOW
   * and `cursor` tells where to resubscribe.
   */
  subscribe(conversationId: string, afterId = -1, options: { maxQueue?: number } = {}): EventSubscription {
    if (this.#closed) throw new DeftError('EVENT_LOG_CLOSED');
    const subscription = new EventSubscription(
      conversationId,
      afterId,
      (after, limit) => this.#store.readAfter(conversationId, after, limit),
      {
        maxQueue: options.maxQueue ?? this.#options.maxSubscriberQueue,
        pageSize: this.#options.replayPageSize,
      },
      (closed) => this.#subscribers.get(conversationId)?.delete(closed),
    );
    let set = this.#subscribers.get(conversationId);
    if (!set) {
      set = new Set();
      this.#subscribers.set(conversationId, set);
    }
    set.add(subscription);
    return subscription;
  }

  subscriberCount(conversationId: string): number {
    return this.#subscribers.get(conversationId)?.size ?? 0;
  }

  /** Deletes every event of the conversation and ends its subscriptions. */
  async deleteConversation(conversationId: string): Promise<void> {
    await this.#flushing;
    await this.#store.deleteConversation(conversationId);
    this.#nextId.delete(conversationId);
    this.#masker.forget(conversationId);
    for (const subscription of [...(this.#subscribers.get(conversationId) ?? [])]) subscription.close();
  }

  /** Commits what is queued, then ends every subscription; later appends are refused. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#flushing) await this.#flushing;
    for (const set of this.#subscribers.values()) {
      for (const subscription of [...set]) subscription.fail(new DeftError('EVENT_LOG_CLOSED'));
    }
    this.#subscribers.clear();
  }

  async #flushLoop(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#options.maxBatch);
        await this.#commit(batch);
      }
    } finally {
      this.#flushing = undefined;
    }
  }

  async #commit(batch: PendingAppend[]): Promise<void> {
    let stored: StoredEvent[];
    try {
      await this.#loadNextIds(batch);
      const timestamp = this.#options.now().toISOString();
      stored = batch.map(({ conversationId, event }) => {
        const id = this.#nextId.get(conversationId)!;
        this.#nextId.set(conversationId, id + 1);
        const masked = this.#masker.mask(conversationId, serializeEvent(event));
        return { ...masked, id, timestamp } as unknown as StoredEvent;
      });
      await this.#store.insert(
        batch.map((entry, index) => ({ conversationId: entry.conversationId, event: stored[index]! })),
      );
    } catch (error) {
      // Ids handed out for this batch were not committed: reload the counters from storage next time.
      for (const entry of batch) this.#nextId.delete(entry.conversationId);
      const failure =
        error instanceof DeftError
          ? error
          : new DeftError('STORAGE_UNAVAILABLE', `Appending events failed: ${(error as Error).message}`, {
              cause: error,
            });
      for (const entry of batch) entry.reject(failure);
      return;
    }
    this.#options.onCommitted(batch.length);
    // Persisted: now publish, in id order per conversation, then release the callers.
    for (const [index, entry] of batch.entries()) {
      const event = stored[index]!;
      const subscribers = this.#subscribers.get(entry.conversationId);
      if (subscribers) for (const subscription of subscribers) subscription.deliver(event);
      entry.resolve(event);
    }
  }

  async #loadNextIds(batch: PendingAppend[]): Promise<void> {
    const unknown = [...new Set(batch.map((entry) => entry.conversationId))].filter(
      (id) => !this.#nextId.has(id),
    );
    if (unknown.length === 0) return;
    const latest = await this.#store.latestIds(unknown);
    for (const id of unknown) this.#nextId.set(id, (latest.get(id) ?? -1) + 1);
  }
}
