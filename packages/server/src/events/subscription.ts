import { DeftError } from '@deft/protocol';
import type { StoredEvent } from './stored-event.js';

export type PageReader = (afterId: number, limit: number) => Promise<StoredEvent[]>;

export interface SubscriptionOptions {
  /** Events held for a consumer that is not reading; past this it is dropped (SUBSCRIBER_TOO_SLOW). */
  maxQueue: number;
  /** Events read from storage per replay page. */
  pageSize: number;
}

/**
 * A cursor-based subscription: first every stored event after the cursor, read lazily page by page, then the
 * live tail — with no gap and no duplicate even while appends race the replay. The live listener is
 * registered before the first read, so an event is either already committed when a page is read or
 * delivered live afterwards (or both, and then deduplicated by id). A live event that skips ahead of the
 * cursor sends the subscription back to storage, so a gap can never be yielded.
 */
export class EventSubscription implements AsyncIterableIterator<StoredEvent> {
  readonly conversationId: string;
  /** The id of the last event handed to the queue (the resume cursor). */
  #lastId: number;
  #mode: 'replay' | 'live' = 'replay';
  readonly #queue: StoredEvent[] = [];
  #pending: StoredEvent[] = [];
  #waiter: (() => void) | undefined;
  #failure: DeftError | undefined;
  #closed = false;
  /** The cursor frozen when the subscription ended (its unread queue is discarded). */
  #endedAt: number | undefined;
  readonly #readPage: PageReader;
  readonly #options: SubscriptionOptions;
  readonly #onClose: (subscription: EventSubscription) => void;

  constructor(
    conversationId: string,
    afterId: number,
    readPage: PageReader,
    options: SubscriptionOptions,
    onClose: (subscription: EventSubscription) => void,
  ) {
    this.conversationId = conversationId;
    this.#lastId = afterId;
    this.#readPage = readPage;
    this.#options = options;
    this.#onClose = onClose;
  }

  /** The cursor to resubscribe with after a drop: the id of the last event this subscription yielded or queued. */
  get cursor(): number {
    return this.#endedAt ?? this.#lastId - this.#queue.length;
  }

  /** Why the subscription ended, when it was dropped. */
  get closedReason(): DeftError | undefined {
    return this.#failure;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Called by the log after an event is committed, in id order per conversation. */
  deliver(event: StoredEvent): void {
    if (this.#closed) return;
    if (this.#mode === 'replay') {
      if (event.id > this.#lastId) this.#pending.push(event);
      if (this.#pending.length > this.#options.maxQueue) this.#drop();
      return;
    }
    if (event.id <= this.#lastId) return;
    if (event.id !== this.#lastId + 1) {
      // Never yield past a gap: go back to storage for what is missing.
      this.#mode = 'replay';
      this.#pending.push(event);
    } else {
      this.#queue.push(event);
      this.#lastId = event.id;
      if (this.#queue.length > this.#options.maxQueue) {
        this.#drop();
        return;
      }
    }
    this.#wake();
  }

  async next(): Promise<IteratorResult<StoredEvent>> {
    for (;;) {
      const event = this.#queue.shift();
      if (event) return { value: event, done: false };
      if (this.#failure) {
        const failure = this.#failure;
        this.#closed = true;
        throw failure;
      }
      if (this.#closed) return { value: undefined, done: true };
      if (this.#mode === 'replay') await this.#replayPage();
      else await new Promise<void>((resolve) => (this.#waiter = resolve));
    }
  }

  async return(): Promise<IteratorResult<StoredEvent>> {
    this.close();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the subscription; a pending next() resolves as done. */
  close(): void {
    if (this.#closed) return;
    this.#endedAt ??= this.cursor;
    this.#closed = true;
    this.#queue.length = 0;
    this.#pending = [];
    this.#onClose(this);
    this.#wake();
  }

  /** Ends the subscription with an error for the consumer (e.g. the log closed). */
  fail(error: DeftError): void {
    if (this.#closed || this.#failure) return;
    this.#endedAt ??= this.cursor;
    this.#failure = error;
    this.#queue.length = 0;
    this.#pending = [];
    this.#onClose(this);
    this.#wake();
  }

  async #replayPage(): Promise<void> {
    let page: StoredEvent[];
    try {
      page = await this.#readPage(this.#lastId, this.#options.pageSize);
    } catch (error) {
      this.fail(
        error instanceof DeftError
          ? error
          : new DeftError('STORAGE_UNAVAILABLE', (error as Error).message, { cause: error }),
      );
      return;
    }
    if (this.#closed || this.#failure) return;
    if (page.length > 0 && page[0]!.id !== this.#lastId + 1) {
      this.fail(new DeftError('STORAGE_UNAVAILABLE', `Event ${this.#lastId + 1} is missing from storage`));
      return;
    }
    for (const event of page) {
      if (event.id !== this.#lastId + 1) break;
      this.#queue.push(event);
      this.#lastId = event.id;
    }
    if (page.length > 0) return;
    // Storage has nothing more: continue from the events that arrived live meanwhile.
    this.#mode = 'live';
    const pending = this.#pending.sort((a, b) => a.id - b.id);
    this.#pending = [];
    for (const [index, event] of pending.entries()) {
      if (event.id <= this.#lastId) continue;
      if (event.id !== this.#lastId + 1) {
        this.#mode = 'replay';
        this.#pending = pending.slice(index);
        break;
      }
      this.#queue.push(event);
      this.#lastId = event.id;
    }
  }

  #drop(): void {
    this.fail(
      new DeftError('SUBSCRIBER_TOO_SLOW', undefined, {
        details: { conversation_id: this.conversationId, resume_after: this.cursor },
      }),
    );
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }
}
