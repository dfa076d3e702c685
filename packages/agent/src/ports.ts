import type { ActionEvent, DeftEvent, ObservationEvent } from '@deft/protocol';

/**
 * What the agent package needs from the world, as small interfaces. The server implements them over its
 * EventLog and a sandbox's runtime; tests implement them in memory or over a real runtime.
 */

/** An event as stored: id and timestamp assigned by the log. */
export type StoredEvent = DeftEvent & { id: number; timestamp: string };

/** The conversation's event log, scoped to one conversation. */
export interface ConversationEventLog {
  /** Persists the event (assigning id and timestamp) and returns it as stored. Subscribers see it after this. */
  append(event: DeftEvent): Promise<StoredEvent>;
  /** All stored events in id order (used once at controller start to restore; never per step). */
  readAll(): AsyncIterable<StoredEvent>;
}

/** Runs an action in the sandbox (reference §4.2 POST /execute_action) and returns its observation. */
export interface ActionRunner {
  run(
    action: ActionEvent & { id: number },
    options: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<ObservationEvent>;
}

/** Unpersisted status updates for clients (reference §2.3 kind 2), e.g. STATUS$LLM_RETRY. */
export interface StatusUpdate {
  type: 'info' | 'error';
  id: string;
  message: string;
}
export type StatusSink = (status: StatusUpdate) => void;

/** Live side channel of the LLM's text as it streams (not stored as events). */
export type TextDeltaSink = (delta: { conversationId: string; text: string }) => void;
