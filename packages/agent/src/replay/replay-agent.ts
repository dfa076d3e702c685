import { type ActionEvent, createAction, DeftError, type DeftEvent, parseEvent } from '@deft/protocol';
import type { Agent, AgentStep } from '../agent.js';
import type { AgentController } from '../controller/agent-controller.js';
import type { StoredEvent } from '../ports.js';

/** Recorded agent actions that are not re-issued: the controller and memory produce their own. */
const SKIPPED = new Set([
  'system',
  'change_agent_state',
  'recall',
  'condensation',
  'condensation_request',
  'null',
]);

interface Turn {
  userMessage: ActionEvent<'message'>;
  actions: ActionEvent[];
}

/**
 * Splits a V0 trajectory (reference §1.3 `replay_json`, §5.2 step 6) into turns: a user message and the agent
 * actions that followed it. The first event must be a user message.
 */
export function parseTrajectory(input: unknown): Turn[] {
  const list = typeof input === 'string' ? (JSON.parse(input) as unknown) : input;
  const events = Array.isArray(list)
    ? list
    : Array.isArray((list as { trajectory?: unknown })?.trajectory)
      ? (list as { trajectory: unknown[] }).trajectory
      : null;
  if (!events) throw new DeftError('VALIDATION_FAILED', 'replay_json must be a JSON array of events');
  const turns: Turn[] = [];
  for (const raw of events) {
    const event: DeftEvent = parseEvent(raw);
    if (!('action' in event)) continue;
    if (event.action === 'message' && event.source === 'user') {
      turns.push({ userMessage: strip(event) as ActionEvent<'message'>, actions: [] });
      continue;
    }
    if (event.source !== 'agent' || SKIPPED.has(event.action)) continue;
    if (turns.length === 0)
      throw new DeftError('VALIDATION_FAILED', 'A trajectory must start with a user message');
    turns.at(-1)!.actions.push(strip(event));
  }
  if (turns.length === 0)
    throw new DeftError('VALIDATION_FAILED', 'A trajectory must start with a user message');
  return turns;
}

/** An Agent that replays recorded actions instead of calling a model. */
export class ReplayAgent implements Agent {
  readonly name = 'ReplayAgent';
  #queue: ActionEvent[] = [];

  systemAction(): ActionEvent<'system'> {
    return createAction(
      'system',
      { content: 'Replaying a recorded trajectory.', tools: [], agent_class: this.name },
      { source: 'agent' },
    );
  }

  observe(_event: StoredEvent): void {}

  load(actions: ActionEvent[]): void {
    this.#queue = [...actions];
  }

  async step(): Promise<AgentStep> {
    const next = this.#queue.shift();
    if (next) return { actions: [next] };
    return {
      actions: [
        createAction(
          'message',
          { content: 'Replay of this turn is complete.', wait_for_response: true },
          { source: 'agent' },
        ),
      ],
    };
  }
}

/** Drives a controller whose agent is a ReplayAgent through every turn of the trajectory. */
export async function replayTrajectory(
  controller: AgentController,
  agent: ReplayAgent,
  turns: Turn[],
  options: { timeoutMs?: number } = {},
): Promise<void> {
  for (const [index, turn] of turns.entries()) {
    agent.load(turn.actions);
    if (index === 0) await controller.start({ initialMessage: turn.userMessage });
    else await controller.submit(turn.userMessage);
    await waitUntilIdle(controller, options.timeoutMs ?? 600_000);
    if (controller.state === 'error' || controller.state === 'stopped') return;
  }
}

async function waitUntilIdle(controller: AgentController, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // The first poll may see the state before the loop picked the turn up; wait until it has run.
  await new Promise((resolve) => setTimeout(resolve, 10));
  while (['running', 'loading', 'rate_limited', 'user_confirmed'].includes(controller.state ?? 'loading')) {
    if (Date.now() > deadline) throw new DeftError('INTERNAL', 'Replay did not finish in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function strip(event: DeftEvent): ActionEvent {
  const {
    id: _id,
    timestamp: _timestamp,
    cause: _cause,
    llm_metrics: _metrics,
    ...rest
  } = event as ActionEvent & Record<string, unknown>;
  return rest as ActionEvent;
}
