import { type ActionEvent, createAction, DeftError } from '@deft/protocol';
import type { Agent, AgentStep, StepContext } from '../agent.js';
import { type CondenserOptions, LlmSummarizingCondenser } from '../condenser/llm-summarizer.js';
import { MessageHistory } from '../history/message-history.js';
import type { LlmClient, LlmToolDefinition } from '../llm/client.js';
import type { StoredEvent } from '../ports.js';
import { SYSTEM_PROMPT } from './system-prompt.js';
import { convertResponse } from './tool-calls.js';
import { CODEACT_TOOLS, openAiToolDicts } from './tools.js';

export interface CodeActAgentOptions {
  llm: LlmClient;
  tools?: LlmToolDefinition[];
  maxMessageChars?: number;
  /** false turns the condenser off */
  condenser?: CondenserOptions | false;
  systemPrompt?: string;
}

/** reference §9.1 CodeActAgent: native tool calling over an incrementally built message history. */
export class CodeActAgent implements Agent {
  readonly name = 'CodeActAgent';
  readonly #llm: LlmClient;
  readonly #tools: LlmToolDefinition[];
  readonly #history: MessageHistory;
  readonly #condenser: LlmSummarizingCondenser | null;
  readonly #systemPrompt: string;
  #condenseRequested = false;

  constructor(options: CodeActAgentOptions) {
    this.#llm = options.llm;
    this.#tools = options.tools ?? CODEACT_TOOLS;
    this.#history = new MessageHistory({ maxMessageChars: options.maxMessageChars });
    this.#condenser =
      options.condenser === false
        ? null
        : new LlmSummarizingCondenser(options.condenser ?? { maxSize: 120, keepFirst: 4 });
    this.#systemPrompt = options.systemPrompt ?? SYSTEM_PROMPT;
  }

  systemAction(): ActionEvent<'system'> {
    return createAction(
      'system',
      {
        content: this.#systemPrompt,
        tools: openAiToolDicts(this.#tools),
        openhands_version: 'deft-0.1',
        agent_class: this.name,
      },
      { source: 'agent' },
    );
  }

  observe(event: StoredEvent): void {
    if ('action' in event && event.action === 'condensation_request') this.#condenseRequested = true;
    if ('action' in event && event.action === 'condensation') this.#condenseRequested = false;
    this.#history.observe(event);
  }

  /** The messages the next call would send (for tests and diagnostics). */
  messages() {
    return this.#history.messages();
  }

  async step(context: StepContext): Promise<AgentStep> {
    if (this.#condenser && (this.#condenseRequested || this.#condenser.shouldCondense(this.#history))) {
      const condensed = await this.#condenser.condense(this.#history, this.#llm, context.signal);
      if (condensed) return { actions: [condensed.action], llm: condensed.response };
      this.#condenseRequested = false;
    }
    let response: Awaited<ReturnType<LlmClient['complete']>>;
    try {
      response = await this.#llm.complete(
        { messages: this.#history.messages(), tools: this.#tools },
        { signal: context.signal, onTextDelta: context.onTextDelta },
      );
    } catch (error) {
      // Too long for the model: condense on the next step instead of failing (reference §9.2).
      if (error instanceof DeftError && error.code === 'LLM_CONTEXT_WINDOW_EXCEEDED' && this.#condenser)
        this.#condenseRequested = true;
      throw error;
    }
    const { actions, errors } = convertResponse(response);
    return { actions, errors, llm: response };
  }
}
