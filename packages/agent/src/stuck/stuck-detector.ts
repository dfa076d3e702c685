import type { StoredEvent } from '../ports.js';

interface Step {
  action: string;
  observation: string | null;
  isError: boolean;
}

/**
 * reference §9.2 stuck detection over the history since the last user message, in O(1) per event: a small
 * window of the latest (action, observation) pairs, compared without ids, timestamps, metrics and metadata.
 *  - 4 identical action/observation pairs;
 *  - 3 identical actions, each followed by an error;
 *  - 3 identical agent messages without user input;
 *  - a 6-step A/B/A/B/A/B alternation;
 *  - 10 or more condensations in a row.
 */
export class StuckDetector {
  readonly #steps: Step[] = [];
  readonly #messages: string[] = [];
  #condensations = 0;

  observe(event: StoredEvent): void {
    if ('action' in event) {
      if (event.source === 'user' && event.action === 'message') {
        this.reset();
        return;
      }
      if (event.action === 'condensation') {
        this.#condensations++;
        return;
      }
      if (
        event.source !== 'agent' ||
        ['system', 'recall', 'change_agent_state', 'null'].includes(event.action)
      )
        return;
      this.#condensations = 0;
      if (event.action === 'message') {
        this.#messages.push(String(event.args.content ?? ''));
        if (this.#messages.length > 3) this.#messages.shift();
        return;
      }
      this.#push({ action: actionKey(event), observation: null, isError: false });
      return;
    }
    if (event.source === 'environment' && event.observation !== 'error') return;
    if (['agent_state_changed', 'recall', 'null'].includes(event.observation)) return;
    const last = this.#steps.at(-1);
    if (last && last.observation === null) {
      last.observation = observationKey(event);
      last.isError =
        event.observation === 'error' ||
        (event.observation === 'run' &&
          (event.extras as { metadata?: { exit_code?: number } }).metadata?.exit_code !== 0);
    }
  }

  reset(): void {
    this.#steps.length = 0;
    this.#messages.length = 0;
    this.#condensations = 0;
  }

  isStuck(): boolean {
    const steps = this.#steps.filter((step) => step.observation !== null);
    const last = (n: number) => steps.slice(-n);
    const same = (list: string[]) => list.length > 0 && list.every((item) => item === list[0]);
    if (steps.length >= 4 && same(last(4).map((s) => `${s.action}\u0000${s.observation}`))) return true;
    if (steps.length >= 3 && same(last(3).map((s) => s.action)) && last(3).every((s) => s.isError))
      return true;
    if (this.#messages.length >= 3 && same(this.#messages)) return true;
    if (steps.length >= 6) {
      const six = last(6).map((s) => `${s.action}\u0000${s.observation}`);
      if (
        six[0] !== six[1] &&
        six[0] === six[2] &&
        six[2] === six[4] &&
        six[1] === six[3] &&
        six[3] === six[5]
      )
        return true;
    }
    return this.#condensations >= 10;
  }

  #push(step: Step): void {
    this.#steps.push(step);
    if (this.#steps.length > 8) this.#steps.shift();
  }
}

const VOLATILE_ARGS = new Set(['thought', 'security_risk', 'confirmation_state']);

function actionKey(event: Extract<StoredEvent, { action: string }>): string {
  // A think action's thought is its whole content; elsewhere the thought is commentary that may vary.
  const args = Object.fromEntries(
    Object.entries(event.args).filter(
      ([key]) => !VOLATILE_ARGS.has(key) || (key === 'thought' && event.action === 'think'),
    ),
  );
  return `${event.action}:${JSON.stringify(args)}`;
}

function observationKey(event: Extract<StoredEvent, { observation: string }>): string {
  const metadata = (event.extras as { metadata?: { exit_code?: number } }).metadata;
  return `${event.observation}:${event.content}:${metadata?.exit_code ?? ''}`;
}
