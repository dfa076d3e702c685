import { createObservation } from '@deft/protocol';
import { describe, expect, it } from 'vitest';
import { AgentController } from '../controller/agent-controller.js';
import { functionRunner, MemoryEventLog } from '../testing/memory-log.js';
import { parseTrajectory, ReplayAgent, replayTrajectory } from './replay-agent.js';

const trajectory = [
  {
    id: 0,
    source: 'environment',
    message: '',
    observation: 'agent_state_changed',
    content: '',
    extras: { agent_state: 'loading' },
  },
  { id: 1, source: 'agent', message: 'sys', action: 'system', args: { content: 'old prompt' } },
  { id: 2, source: 'user', message: 'make a file', action: 'message', args: { content: 'make a file' } },
  { id: 3, source: 'user', message: '', action: 'recall', args: { query: 'make a file' } },
  {
    id: 4,
    source: 'agent',
    message: 'Running command: touch a.txt',
    action: 'run',
    args: { command: 'touch a.txt' },
    llm_metrics: { accumulated_cost: 1 },
  },
  {
    id: 5,
    source: 'agent',
    message: 'old output',
    cause: 4,
    observation: 'run',
    content: 'OLD',
    extras: { command: 'touch a.txt', metadata: { exit_code: 0 } },
  },
  { id: 6, source: 'agent', message: '', action: 'finish', args: { final_thought: 'created' } },
  { id: 7, source: 'user', message: 'and another', action: 'message', args: { content: 'and another' } },
  { id: 8, source: 'agent', message: '', action: 'run', args: { command: 'touch b.txt' } },
  { id: 9, source: 'agent', message: '', action: 'finish', args: { final_thought: 'both' } },
];

describe('trajectory replay (reference §1.3 replay_json, §5.2)', () => {
  it('re-executes the recorded user and agent actions against the runner without an LLM', async () => {
    const ran: string[] = [];
    const runner = functionRunner(async (action) => {
      const command = String((action.args as { command: string }).command);
      ran.push(command);
      return createObservation('run', `fresh ${command}`, { command, metadata: { exit_code: 0 } as never });
    });
    const log = new MemoryEventLog();
    const agent = new ReplayAgent();
    const controller = new AgentController({ conversationId: 'r'.repeat(32), agent, log, runner });
    await replayTrajectory(controller, agent, parseTrajectory(JSON.stringify(trajectory)));
    await controller.close();
    expect(ran).toEqual(['touch a.txt', 'touch b.txt']);
    const runs = log.events
      .filter((e) => 'observation' in e && e.observation === 'run')
      .map((e) => ('content' in e ? e.content : ''));
    expect(runs).toEqual(['fresh touch a.txt', 'fresh touch b.txt']);
    const states = log.events
      .filter((e) => 'observation' in e && e.observation === 'agent_state_changed')
      .map((e) => (e.extras as { agent_state: string }).agent_state);
    expect(states).toEqual(['loading', 'running', 'finished', 'running', 'finished']);
    expect(
      log.events.filter((e) => 'action' in e && e.action === 'message' && e.source === 'user'),
    ).toHaveLength(2);
  });

  it('rejects a trajectory that does not start with a user message, or is not a list', () => {
    expect(() =>
      parseTrajectory([{ source: 'agent', action: 'run', args: { command: 'ls' }, message: '' }]),
    ).toThrow(/start with a user message/);
    expect(() => parseTrajectory('{"nope": 1}')).toThrow(/JSON array/);
  });
});
