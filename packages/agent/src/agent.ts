import type { ActionEvent, ObservationEvent } from '@deft/protocol';
import type { LlmResponse } from './llm/client.js';
import type { StoredEvent } from './ports.js';

/**
 * An agent turns the conversation so far into its next actions. The controller feeds it every stored event
 * exactly once, in id order (`observe`), so the agent extends its LLM message list incrementally and a step
 * never re-reads or rebuilds the whole history.
 */
export interface Agent {
  readonly name: string;
  /** The `system` action (prompt + tools) recorded as the first agent event of a conversation. */
  systemAction(): ActionEvent<'system'>;
  observe(event: StoredEvent): void;
  /**
   * Calls the LLM once and returns the actions to run, in order (several tool calls → several actions, each
   * carrying tool_call_metadata; plain text → a `message` action with wait_for_response true; or a
   * `condensation` action). Must not change the agent's state before the LLM answers, so the controller may
   * retry it after a transient LLM error. LLM failures are thrown as DeftError with LLM_* codes.
   */
  step(context: StepContext): Promise<AgentStep>;
}

export interface StepContext {
  signal: AbortSignal;
  onTextDelta?: (text: string) => void;
}

export interface AgentStep {
  actions: ActionEvent[];
  /** Error observations for tool calls that could not become actions (each carries its tool_call_metadata). */
  errors?: ObservationEvent[];
  /** The LLM call behind these actions (absent for steps that needed no call, e.g. a queued action). */
  llm?: LlmResponse;
}
