import type { ObservationEvent, ToolCallMetadata } from '@deft/protocol';
import type { LlmMessage, LlmToolCall } from '../llm/client.js';
import type { StoredEvent } from '../ports.js';
import { formatObservation, renderRecall } from './render.js';

interface Entry {
  message: LlmMessage;
  /** the event this message came from (several events may share one assistant message) */
  eventIds: number[];
}

export interface MessageHistoryOptions {
  /** Observations longer than this are middle-truncated for the model (reference: max_message_chars 30,000). */
  maxMessageChars?: number;
}

/**
 * The LLM message list, extended by one event at a time — never rebuilt from the whole history. Assistant
 * tool-call messages come from the response that produced them (tool_call_metadata.model_response), once
 * per response; observations answer their call as `tool` messages. A condensation drops forgotten events'
 * messages once and inserts the summary.
 */
export class MessageHistory {
  readonly #entries: Entry[] = [];
  /** the messages of #entries, kept in step with them so a request costs no copy of the history */
  readonly #messages: LlmMessage[] = [];
  readonly #emittedResponses = new Map<string, Entry>();
  /** tool calls sent to the model that still have no result */
  readonly #pending = new Map<string, string>();
  readonly #maxChars: number;
  #events = 0;

  constructor(options: MessageHistoryOptions = {}) {
    this.#maxChars = options.maxMessageChars ?? 30_000;
  }

  /** Events observed so far (condensation decisions use it). */
  get eventCount(): number {
    return this.#events;
  }

  get length(): number {
    return this.#entries.length;
  }

  observe(event: StoredEvent): void {
    this.#events++;
    if ('action' in event) this.#observeAction(event);
    else this.#observeObservation(event);
  }

  /**
   * The messages for the next call (a live view: callers must not modify it). Tool calls still without a result (a stop, a finish) get a short
   * placeholder result so the request is always valid; this touches only the pending calls, not the history.
   */
  messages(): LlmMessage[] {
    const messages = this.#messages;
    if (this.#pending.size === 0) return messages;
    const placeholders: LlmMessage[] = [...this.#pending].map(([id, name]) => ({
      role: 'tool',
      toolCallId: id,
      toolName: name,
      content: name === 'finish' ? 'The task was marked as finished.' : 'This action has not been executed.',
    }));
    // Placeholders go after the results the last tool-calling turn already has.
    let at = findLastAssistant(messages) + 1;
    while (at < messages.length && messages[at]!.role === 'tool') at++;
    return [...messages.slice(0, at), ...placeholders, ...messages.slice(at)];
  }

  /** Event ids whose messages are between the first `keepFirst` entries and the last `keepLast` (candidates to forget). */
  middleEventIds(keepFirst: number, keepLast: number): number[] {
    const middle = this.#entries.slice(keepFirst, Math.max(keepFirst, this.#entries.length - keepLast));
    return [...new Set(middle.flatMap((entry) => entry.eventIds))];
  }

  /** Text of the messages of the given events, for a summary. */
  transcript(eventIds: Iterable<number>): string {
    const wanted = new Set(eventIds);
    return this.#entries
      .filter((entry) => entry.eventIds.some((id) => wanted.has(id)))
      .map((entry) => `${entry.message.role.toUpperCase()}: ${messageText(entry.message)}`)
      .join('\n\n');
  }

  #observeAction(event: Extract<StoredEvent, { action: string }>): void {
    const { action } = event;
    if (action === 'system') {
      this.#push({ role: 'system', content: String(event.args.content ?? '') }, event.id);
      return;
    }
    if (action === 'condensation') {
      this.#condense(
        event.args as {
          forgotten_event_ids?: number[] | null;
          forgotten_events_start_id?: number | null;
          forgotten_events_end_id?: number | null;
          summary?: string | null;
          summary_offset?: number | null;
        },
        event.id,
      );
      return;
    }
    if (event.tool_call_metadata) {
      this.#assistantFor(event.tool_call_metadata, event.id);
      return;
    }
    if (action === 'message') {
      const content = String(event.args.content ?? '');
      this.#push(
        event.source === 'user' ? { role: 'user', content } : { role: 'assistant', content },
        event.id,
      );
    }
    // recall, change_agent_state, null, condensation_request and the like carry nothing for the model.
  }

  #observeObservation(event: Extract<StoredEvent, { observation: string }>): void {
    const observation = event as unknown as ObservationEvent;
    if (event.tool_call_metadata) {
      this.#assistantFor(event.tool_call_metadata, event.id);
      const id = event.tool_call_metadata.tool_call_id;
      if (!this.#pending.has(id)) return;
      this.#pending.delete(id);
      this.#push(
        {
          role: 'tool',
          toolCallId: id,
          toolName: event.tool_call_metadata.function_name,
          content: formatObservation(observation, this.#maxChars),
        },
        event.id,
      );
      return;
    }
    if (event.observation === 'recall') {
      const text = renderRecall(observation);
      if (text) this.#push({ role: 'user', content: text }, event.id);
      return;
    }
    if (event.observation === 'error' || event.observation === 'user_rejected') {
      this.#push({ role: 'user', content: formatObservation(observation, this.#maxChars) }, event.id);
    }
  }

  /** The assistant message of a tool-calling response, added the first time one of its events is seen. */
  #assistantFor(metadata: ToolCallMetadata, eventId: number): void {
    const response = (metadata.model_response ?? {}) as {
      id?: string;
      choices?: {
        message?: {
          content?: string | null;
          tool_calls?: { id: string; function: { name: string; arguments: string } }[] | null;
        };
      }[];
    };
    const key = response.id || `call:${metadata.tool_call_id}`;
    const emitted = this.#emittedResponses.get(key);
    if (emitted) {
      emitted.eventIds.push(eventId);
      return;
    }
    const message = response.choices?.[0]?.message;
    const toolCalls: LlmToolCall[] = message?.tool_calls?.map((call) => ({
      id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
    })) ?? [{ id: metadata.tool_call_id, name: metadata.function_name, arguments: '{}' }];
    for (const call of toolCalls) this.#pending.set(call.id, call.name);
    this.#emittedResponses.set(
      key,
      this.#push({ role: 'assistant', content: message?.content ?? '', toolCalls }, eventId),
    );
  }

  #condense(
    args: {
      forgotten_event_ids?: number[] | null;
      forgotten_events_start_id?: number | null;
      forgotten_events_end_id?: number | null;
      summary?: string | null;
      summary_offset?: number | null;
    },
    eventId: number,
  ): void {
    const forgotten = new Set(args.forgotten_event_ids ?? []);
    if (args.forgotten_events_start_id != null && args.forgotten_events_end_id != null) {
      for (let id = args.forgotten_events_start_id; id <= args.forgotten_events_end_id; id++)
        forgotten.add(id);
    }
    // One rewrite of the list; a tool message whose call was forgotten (or the reverse) goes with it.
    const dropCalls = new Set<string>();
    for (const entry of this.#entries) {
      if (entry.message.role === 'assistant' && entry.eventIds.some((id) => forgotten.has(id)))
        for (const call of entry.message.toolCalls ?? []) dropCalls.add(call.id);
    }
    const kept = this.#entries.filter(
      (entry) =>
        !entry.eventIds.some((id) => forgotten.has(id)) &&
        !(entry.message.role === 'tool' && dropCalls.has(entry.message.toolCallId)),
    );
    const keptCalls = new Set(
      kept.flatMap((entry) =>
        entry.message.role === 'assistant' ? (entry.message.toolCalls ?? []).map((call) => call.id) : [],
      ),
    );
    const consistent = kept.filter(
      (entry) => entry.message.role !== 'tool' || keptCalls.has(entry.message.toolCallId),
    );
    for (const id of dropCalls) this.#pending.delete(id);
    if (args.summary) {
      const offset = Math.min(args.summary_offset ?? 1, consistent.length);
      consistent.splice(offset, 0, {
        message: {
          role: 'user',
          content: `Summary of the earlier part of this conversation:\n${args.summary}`,
        },
        eventIds: [eventId],
      });
    }
    this.#entries.splice(0, this.#entries.length, ...consistent);
    this.#messages.splice(0, this.#messages.length, ...consistent.map((entry) => entry.message));
  }

  #push(message: LlmMessage, eventId: number): Entry {
    const entry = { message, eventIds: [eventId] };
    this.#entries.push(entry);
    this.#messages.push(message);
    return entry;
  }
}

function findLastAssistant(messages: LlmMessage[]): number {
  for (let index = messages.length - 1; index >= 0; index--)
    if (messages[index]!.role === 'assistant') return index;
  return messages.length - 1;
}

function messageText(message: LlmMessage): string {
  if (message.role === 'assistant' && message.toolCalls?.length) {
    return `${message.content}\n${message.toolCalls.map((call) => `[calls ${call.name} ${call.arguments}]`).join('\n')}`;
  }
  return message.content;
}
