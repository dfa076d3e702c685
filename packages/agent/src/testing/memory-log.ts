import type { DeftEvent } from '@deft/protocol';
import type { ActionRunner, ConversationEventLog, StoredEvent } from '../ports.js';

/** An in-memory ConversationEventLog for agent tests: ids from 0, ISO timestamps, every event kept. */
export class MemoryEventLog implements ConversationEventLog {
  readonly events: StoredEvent[] = [];
  #waiters: (() => void)[] = [];

  async append(event: DeftEvent): Promise<StoredEvent> {
    const stored = { ...event, id: this.events.length, timestamp: new Date().toISOString() } as StoredEvent;
    this.events.push(stored);
    for (const waiter of this.#waiters.splice(0)) waiter();
    return stored;
  }

  async *readAll(): AsyncIterable<StoredEvent> {
    yield* this.events;
  }

  /** Resolves when some stored event satisfies the predicate (or rejects after the timeout). */
  async waitFor(predicate: (event: StoredEvent) => boolean, timeoutMs = 20_000): Promise<StoredEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for an event; have: ${this.summary().join(' | ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** A compact "id source kind[:detail]" line per event, for exact sequence assertions. */
  summary(): string[] {
    return this.events.map((event) => {
      if ('action' in event) {
        const detail =
          event.action === 'change_agent_state'
            ? `:${event.args.agent_state}`
            : event.action === 'recall'
              ? `:${event.args.recall_type}`
              : '';
        return `${event.id} ${event.source} ${event.action}${detail}`;
      }
      const detail =
        event.observation === 'agent_state_changed'
          ? `:${(event.extras as { agent_state: string }).agent_state}`
          : '';
      return `${event.id} ${event.source} obs:${event.observation}${detail}${event.cause !== undefined && event.cause !== null ? ` <-${event.cause}` : ''}`;
    });
  }
}

/** Runs actions through a function (a real runtime client in end-to-end tests, a tiny fake elsewhere). */
export function functionRunner(run: ActionRunner['run']): ActionRunner {
  return { run };
}
