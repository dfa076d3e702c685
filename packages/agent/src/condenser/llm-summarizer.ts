import { type ActionEvent, createAction } from '@deft/protocol';
import type { MessageHistory } from '../history/message-history.js';
import type { LlmClient } from '../llm/client.js';

export interface CondenserOptions {
  /** Condense when the history holds more messages than this (reference: condenser_max_size, 120). */
  maxSize: number;
  /** Messages kept at the start (system prompt, the task). */
  keepFirst: number;
  /** Messages kept at the end, so the recent work stays verbatim. */
  keepLast?: number;
}

const SUMMARY_PROMPT = `You compress the middle of a coding agent's working session so the agent can continue without it.
Write a dense summary of what happened: the user's goals, what was learned about the code, files changed and how,
commands run and their outcomes, open problems and the next planned steps. Keep exact names, paths and error messages.
Do not address the user; write for the agent.`;

/**
 * An LLM-summarizing condenser: keeps the first messages and a recent window, replaces the middle with a
 * summary, and records it as a `condensation` action (reference §9.2) — the history applies it once.
 */
export class LlmSummarizingCondenser {
  readonly #options: Required<CondenserOptions>;

  constructor(options: CondenserOptions) {
    this.#options = { keepLast: Math.max(4, Math.floor(options.maxSize / 2)), ...options };
  }

  shouldCondense(history: MessageHistory): boolean {
    return history.length > this.#options.maxSize;
  }

  async condense(
    history: MessageHistory,
    llm: LlmClient,
    signal: AbortSignal,
  ): Promise<{ action: ActionEvent; response: Awaited<ReturnType<LlmClient['complete']>> } | null> {
    const forgotten = history.middleEventIds(this.#options.keepFirst, this.#options.keepLast);
    if (forgotten.length === 0) return null;
    const response = await llm.complete(
      {
        messages: [
          { role: 'system', content: SUMMARY_PROMPT },
          { role: 'user', content: history.transcript(forgotten) },
        ],
      },
      { signal },
    );
    const action = createAction(
      'condensation',
      { forgotten_event_ids: forgotten, summary: response.text, summary_offset: this.#options.keepFirst },
      { source: 'agent' },
    );
    return { action, response };
  }
}
