import {
  type ActionEvent,
  type AgentState,
  createAction,
  createObservation,
  DeftError,
  type DeftEvent,
  isDeftError,
  type ObservationEvent,
} from '@deft/protocol';
import type { Agent } from '../agent.js';
import type { LlmResponse } from '../llm/client.js';
import { isRetryable } from '../llm/errors.js';
import { MetricsAccumulator } from '../llm/metrics.js';
import type { ActionRunner, ConversationEventLog, StatusSink, StoredEvent } from '../ports.js';
import { StuckDetector } from '../stuck/stuck-detector.js';
import {
  CONFIRMABLE_ACTIONS,
  type ControllerConfig,
  DEFAULT_CONTROLLER_CONFIG,
  LLM_ERROR_STATUS,
  RUNNABLE_ACTIONS,
  retryDelay,
} from './config.js';
import { TaskList } from './task-list.js';

/** Answers a `recall` action (reference §3.6: a recall observation, or a null observation when nothing applies). */
export type RecallHandler = (
  action: StoredEvent,
  context: { firstUserMessage: boolean },
) => Promise<ObservationEvent>;

export interface AgentControllerOptions {
  conversationId: string;
  agent: Agent;
  log: ConversationEventLog;
  runner: ActionRunner;
  recall?: RecallHandler;
  onStatus?: StatusSink;
  onTextDelta?: (text: string) => void;
  config?: Partial<ControllerConfig>;
}

/**
 * One conversation's agent loop (reference §3.4, §3.6). It is the single writer of the conversation's
 * events: user input comes through `submit`, every append goes through it, and the agent observes each
 * stored event exactly once, in order. State changes are events (`agent_state_changed`); limits, stuck
 * loops and LLM failures end visibly in a state, never in a silent hang.
 */
export class AgentController {
  readonly conversationId: string;
  readonly #agent: Agent;
  readonly #log: ConversationEventLog;
  readonly #runner: ActionRunner;
  readonly #recall: RecallHandler;
  readonly #onStatus: StatusSink;
  readonly #onTextDelta: ((text: string) => void) | undefined;
  readonly #config: ControllerConfig;
  readonly #metrics: MetricsAccumulator;
  readonly #stuck = new StuckDetector();
  readonly #tasks = new TaskList();
  #state: AgentState | null = null;
  #iterations = 0;
  #maxIterations: number;
  #maxBudget: number | null;
  #userMessages = 0;
  #pendingConfirmation: ActionEvent | null = null;
  /** a tool-call action appended but not yet answered */
  #unanswered: StoredEvent | null = null;
  #abort: AbortController | null = null;
  #wake: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  #closed = false;
  #writes: Promise<unknown> = Promise.resolve();

  constructor(options: AgentControllerOptions) {
    this.conversationId = options.conversationId;
    this.#agent = options.agent;
    this.#log = options.log;
    this.#runner = options.runner;
    this.#recall = options.recall ?? (async () => createObservation('null', ''));
    this.#onStatus = options.onStatus ?? (() => undefined);
    this.#onTextDelta = options.onTextDelta;
    this.#config = {
      ...DEFAULT_CONTROLLER_CONFIG,
      ...options.config,
      llmRetry: { ...DEFAULT_CONTROLLER_CONFIG.llmRetry, ...options.config?.llmRetry },
    };
    this.#maxIterations = this.#config.maxIterations;
    this.#maxBudget = this.#config.maxBudgetPerTask;
    this.#metrics = new MetricsAccumulator({ maxBudgetPerTask: this.#maxBudget });
  }

  get state(): AgentState | null {
    return this.#state;
  }

  get iterations(): number {
    return this.#iterations;
  }

  /**
   * Starts a conversation: loading, the system event when the log has none, the initial message (if any)
   * with its recall, then running — or awaiting_user_input without a message (reference §3.6).
   */
  async start(
    options: { initialMessage?: DeftEvent | string; restore?: boolean; resume?: boolean } = {},
  ): Promise<void> {
    let hasSystem = false;
    let lastState: string | null = null;
    if (options.restore) {
      for await (const event of this.#log.readAll()) {
        this.#agent.observe(event);
        this.#stuck.observe(event);
        if ('action' in event && event.action === 'system') hasSystem = true;
        if ('action' in event && event.action === 'message' && event.source === 'user') this.#userMessages++;
        if ('observation' in event && event.observation === 'agent_state_changed')
          lastState = String(event.extras.agent_state ?? '');
        if ('action' in event && event.tool_call_metadata && event.action !== 'finish')
          this.#unanswered = event;
        else if ('observation' in event && this.#unanswered && event.cause === this.#unanswered.id)
          this.#unanswered = null;
      }
      // The previous loop ended (restart, pause) while an action ran: its result is unknown, and the LLM needs
      // an answer to every tool call.
      await this.#answerUnanswered(
        'AGENT_ERROR$ERROR_ACTION_NOT_EXECUTED_ERROR',
        'The conversation was interrupted while this action ran; its result is unknown.',
      );
    }
    await this.#setState('loading');
    if (!hasSystem) await this.#append(this.#agent.systemAction());
    if (options.initialMessage === undefined && options.resume && lastState === 'running') {
      // Back from a restart mid-task: carry on where the agent was.
      await this.#append(
        createAction('change_agent_state', { agent_state: 'running' }, { source: 'environment' }),
      );
      await this.#setState('running');
    } else if (options.initialMessage !== undefined) {
      const message =
        typeof options.initialMessage === 'string'
          ? createAction('message', { content: options.initialMessage })
          : options.initialMessage;
      await this.#append({ ...message, source: 'user' });
      await this.#append(
        createAction('change_agent_state', { agent_state: 'running' }, { source: 'environment' }),
      );
      await this.#afterUserMessage();
    } else {
      await this.#append(
        createAction('change_agent_state', { agent_state: 'awaiting_user_input' }, { source: 'environment' }),
      );
      await this.#setState('awaiting_user_input');
    }
    this.#loop ??= this.#run();
  }

  /** Input from the user (reference §2.2 oh_user_action): a message, or a change_agent_state command. */
  async submit(input: DeftEvent): Promise<StoredEvent> {
    if (this.#closed) throw new DeftError('CONVERSATION_NOT_RUNNING', 'The agent loop is closed');
    if ('action' in input && input.action === 'change_agent_state') {
      const stored = await this.#append({ ...input, source: 'user' });
      await this.#changeState(String(input.args.agent_state));
      return stored;
    }
    const stored = await this.#append({ ...input, source: 'user' });
    if ('action' in input && input.action === 'message') await this.#afterUserMessage();
    return stored;
  }

  /** Stops the agent: aborts an in-flight LLM call and sandbox action, and records the stop. */
  async stop(): Promise<void> {
    this.#abort?.abort();
    await this.#settleWrites();
    await this.#answerUnanswered(
      'AGENT_ERROR$ERROR_ACTION_NOT_EXECUTED_STOPPED',
      'Stop button pressed. The action has not been executed.',
    );
    await this.#setState('stopped');
  }

  /** Ends the loop and waits for it; no event is written afterwards. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#abort?.abort();
    this.#closed = true;
    this.#wake?.();
    await this.#loop;
    await this.#settleWrites();
  }

  async #afterUserMessage(): Promise<void> {
    const first = this.#userMessages++ === 0;
    const recall = await this.#append(
      createAction(
        'recall',
        { recall_type: first ? 'workspace_context' : 'knowledge', query: this.#lastUserText },
        { source: 'user' },
      ),
    );
    if (this.#state !== 'running') {
      this.#raiseLimitsIfNeeded();
      await this.#setState('running');
    }
    const answer = await this.#recall(recall, { firstUserMessage: first }).catch(() =>
      createObservation('null', ''),
    );
    await this.#append({ ...answer, source: 'environment', cause: recall.id });
    this.#wake?.();
  }

  #lastUserText = '';

  async #changeState(requested: string): Promise<void> {
    switch (requested) {
      case 'stopped':
        return this.stop();
      case 'paused':
        this.#abort?.abort();
        await this.#settleWrites();
        return this.#setState('paused');
      case 'running':
        this.#raiseLimitsIfNeeded();
        await this.#setState('running');
        this.#wake?.();
        return;
      case 'user_confirmed':
      case 'user_rejected':
        return this.#confirm(requested === 'user_confirmed');
      default:
        throw new DeftError('VALIDATION_FAILED', `Cannot change the agent state to ${requested}`);
    }
  }

  async #confirm(confirmed: boolean): Promise<void> {
    const pending = this.#pendingConfirmation;
    if (!pending || this.#state !== 'awaiting_user_confirmation') return;
    this.#pendingConfirmation = null;
    await this.#setState(confirmed ? 'user_confirmed' : 'user_rejected');
    const again = {
      ...pending,
      args: { ...pending.args, confirmation_state: confirmed ? 'confirmed' : 'rejected' },
    } as ActionEvent;
    if (!confirmed) {
      const stored = await this.#append(again);
      await this.#append({
        ...createObservation(
          'user_rejected',
          'Action has been rejected by the user! Waiting for further user input.',
        ),
        source: 'environment',
        cause: stored.id,
        tool_call_metadata: stored.tool_call_metadata,
      });
      this.#unanswered = null;
      await this.#setState('awaiting_user_input');
      return;
    }
    await this.#setState('running');
    await this.#perform(again);
    if ((this.#state as AgentState | null) === 'running') this.#wake?.();
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      if (this.#state !== 'running') {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = null;
        continue;
      }
      try {
        await this.#step();
      } catch (error) {
        if (this.#closed) break;
        if (this.#abort?.signal.aborted && isDeftError(error) && error.code === 'LLM_ABORTED') continue;
        const message = isDeftError(error)
          ? error.message
          : `There was an unexpected error while running the agent: ${(error as Error).name}. You can refresh the page or ask the agent to try again.`;
        this.#onStatus({ type: 'error', id: 'STATUS$ERROR', message });
        await this.#setState('error', message);
      }
    }
  }

  async #step(): Promise<void> {
    if (this.#iterations >= this.#maxIterations) {
      return this.#setState(
        'error',
        `Agent reached maximum iteration. Current iteration: ${this.#iterations}, max iteration: ${this.#maxIterations}`,
      );
    }
    if (this.#maxBudget !== null && this.#metrics.accumulatedCost >= this.#maxBudget) {
      return this.#setState(
        'error',
        `Agent reached maximum budget for conversation.Current budget: ${this.#metrics.accumulatedCost.toFixed(2)}, max budget: ${this.#maxBudget.toFixed(2)}`,
      );
    }
    if (this.#config.stuckDetection && this.#stuck.isStuck())
      return this.#setState('error', 'Agent got stuck in a loop');

    const step = await this.#stepWithRetries();
    if (!step || this.#state !== 'running') return;
    this.#iterations++;
    if (step.llm) this.#metrics.record(step.llm);
    for (const action of step.actions) {
      if (this.#state !== 'running' || this.#closed) break;
      const withMetrics = {
        ...action,
        source: 'agent',
        llm_metrics: this.#metrics.toLlmMetrics(),
      } as ActionEvent;
      if (this.#needsConfirmation(withMetrics)) {
        const waiting = {
          ...withMetrics,
          args: { ...withMetrics.args, confirmation_state: 'awaiting_confirmation' },
        } as ActionEvent;
        await this.#append(waiting);
        this.#pendingConfirmation = withMetrics;
        await this.#setState('awaiting_user_confirmation');
        return;
      }
      await this.#perform(withMetrics);
    }
    for (const error of step.errors ?? []) await this.#append({ ...error, source: 'agent' });
  }

  async #stepWithRetries(): Promise<{
    actions: ActionEvent[];
    errors?: ObservationEvent[];
    llm?: LlmResponse;
  } | null> {
    const policy = this.#config.llmRetry;
    for (let attempt = 0; ; attempt++) {
      this.#abort = new AbortController();
      try {
        const step = await this.#agent.step({ signal: this.#abort.signal, onTextDelta: this.#onTextDelta });
        if (this.#state === 'rate_limited') await this.#setState('running');
        return step;
      } catch (error) {
        if (this.#abort.signal.aborted || this.#closed) return null;
        if (!isDeftError(error) || !error.code.startsWith('LLM_')) throw error;
        if (!isRetryable(error) || attempt >= policy.retries) {
          const status = LLM_ERROR_STATUS[error.code] ?? 'STATUS$ERROR';
          this.#onStatus({ type: 'error', id: status, message: error.message });
          await this.#setState(
            'error',
            error.code === 'LLM_RATE_LIMITED' ? 'CHAT_INTERFACE$AGENT_RATE_LIMITED_STOPPED_MESSAGE' : status,
          );
          return null;
        }
        if (error.code === 'LLM_RATE_LIMITED') await this.#setState('rate_limited');
        this.#onStatus({
          type: 'info',
          id: 'STATUS$LLM_RETRY',
          message: `Retrying LLM request, ${attempt + 1} / ${policy.retries}`,
        });
        const waited = await this.#sleep(
          retryDelay(policy, attempt + 1, error.details?.retry_after_ms as number | undefined),
        );
        if (!waited) return null;
      } finally {
        this.#abort = null;
      }
    }
  }

  /** Appends an action and produces its observation (runtime, or in-controller for think/task_tracking). */
  async #perform(action: ActionEvent): Promise<void> {
    const stored = await this.#append(action);
    if (action.tool_call_metadata && action.action !== 'finish') this.#unanswered = stored;
    const reply = (observation: ObservationEvent, source: 'agent' | 'environment' = 'agent') =>
      this.#append({
        ...observation,
        source,
        cause: stored.id,
        tool_call_metadata: stored.tool_call_metadata ?? undefined,
      }).then(() => {
        this.#unanswered = null;
      });
    if (RUNNABLE_ACTIONS.has(action.action)) {
      this.#abort = new AbortController();
      try {
        const observation = await this.#runner.run(stored as ActionEvent & { id: number }, {
          signal: this.#abort.signal,
        });
        await reply(observation);
      } catch (error) {
        if (this.#abort?.signal.aborted) return;
        await reply(
          createObservation(
            'error',
            `The action could not be run in the sandbox: ${(error as Error).message}`,
            { error_id: 'AGENT_ERROR$RUNTIME_ERROR' },
          ),
        );
      } finally {
        this.#abort = null;
      }
      return;
    }
    switch (action.action) {
      case 'think':
        return reply(createObservation('think', 'Your thought has been logged.'));
      case 'task_tracking':
        return reply(this.#tasks.handle(action as ActionEvent<'task_tracking'>));
      case 'finish':
        return this.#setState('finished');
      case 'reject':
        return this.#setState('rejected');
      case 'message':
        if ((action as ActionEvent<'message'>).args.wait_for_response)
          return this.#setState('awaiting_user_input');
        return;
      default:
        return;
    }
  }

  #needsConfirmation(action: ActionEvent): boolean {
    if (this.#config.confirmationMode === 'off' || !CONFIRMABLE_ACTIONS.has(action.action)) return false;
    if (this.#config.confirmationMode === 'all') return true;
    const risk = (action.args as { security_risk?: number }).security_risk;
    return risk === 2;
  }

  /** Moving from error back to running in an interactive conversation extends the limit that stopped it. */
  #raiseLimitsIfNeeded(): void {
    if (this.#state !== 'error') return;
    if (this.#iterations >= this.#maxIterations) this.#maxIterations += this.#config.maxIterations;
    if (
      this.#maxBudget !== null &&
      this.#metrics.accumulatedCost >= this.#maxBudget &&
      this.#config.maxBudgetPerTask !== null
    ) {
      this.#maxBudget += this.#config.maxBudgetPerTask;
    }
  }

  async #answerUnanswered(errorId: string, text: string): Promise<void> {
    const pending = this.#unanswered;
    if (!pending) return;
    this.#unanswered = null;
    await this.#append({
      ...createObservation('error', text, { error_id: errorId }),
      source: 'agent',
      cause: pending.id,
      tool_call_metadata: pending.tool_call_metadata ?? undefined,
    });
  }

  async #setState(state: AgentState, reason = ''): Promise<void> {
    if (this.#state === state && !reason) return;
    this.#state = state;
    if (state === 'error')
      await this.#answerUnanswered(
        'AGENT_ERROR$ERROR_ACTION_NOT_EXECUTED_ERROR',
        'The action has not been executed due to an error.',
      );
    await this.#append({
      ...createObservation('agent_state_changed', '', { agent_state: state, reason }),
      source: 'environment',
    });
    this.#wake?.();
  }

  /** Every write goes through here: the agent and the stuck detector see each stored event once, in order. */
  #append(event: DeftEvent): Promise<StoredEvent> {
    if ('action' in event && event.action === 'message' && event.source === 'user')
      this.#lastUserText = String(event.args.content ?? '');
    const write = this.#writes.then(async () => {
      const stored = await this.#log.append(event);
      this.#agent.observe(stored);
      this.#stuck.observe(stored);
      return stored;
    });
    this.#writes = write.catch(() => undefined);
    return write;
  }

  async #settleWrites(): Promise<void> {
    await this.#writes;
  }

  /** Waits, unless the agent is stopped or closed meanwhile; false when interrupted. */
  #sleep(ms: number): Promise<boolean> {
    const abort = this.#abort;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(true), ms);
      abort?.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
  }
}
