import { createAction, createObservation, type DeftEvent } from '@deft/protocol';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../ports.js';
import { MessageHistory } from './message-history.js';

let nextId = 0;
const stored = (event: DeftEvent): StoredEvent =>
  ({ ...event, id: nextId++, timestamp: '2026-01-01T00:00:00.000Z' }) as StoredEvent;
const response = (id: string, calls: { id: string; name: string; arguments: string }[], content = '') => ({
  id,
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content,
        tool_calls: calls.map((c, index) => ({
          index,
          id: c.id,
          type: 'function',
          function: { name: c.name, arguments: c.arguments },
        })),
      },
    },
  ],
});

function toolStep(history: MessageHistory, n: number): void {
  const callId = `call_${n}`;
  const raw = response(`resp_${n}`, [
    { id: callId, name: 'execute_bash', arguments: `{"command":"echo ${n}"}` },
  ]);
  const metadata = {
    function_name: 'execute_bash',
    tool_call_id: callId,
    model_response: raw,
    total_calls_in_response: 1,
  };
  const action = stored({
    ...createAction('run', { command: `echo ${n}` }),
    source: 'agent',
    tool_call_metadata: metadata,
  });
  history.observe(action);
  history.observe(
    stored({
      ...createObservation('run', `${n}`, {
        command: `echo ${n}`,
        metadata: { exit_code: 0, working_dir: '/workspace' } as never,
      }),
      source: 'agent',
      cause: action.id,
      tool_call_metadata: metadata,
    }),
  );
}

describe('incremental message history (issue 4 item 3)', () => {
  it('builds system/user/assistant(tool_calls)/tool messages, one assistant message per response', () => {
    const history = new MessageHistory();
    history.observe(stored({ ...createAction('system', { content: 'SYS' }), source: 'agent' }));
    history.observe(stored({ ...createAction('message', { content: 'task' }), source: 'user' }));
    const raw = response(
      'r1',
      [
        { id: 'a', name: 'think', arguments: '{"thought":"x"}' },
        { id: 'b', name: 'execute_bash', arguments: '{"command":"ls"}' },
      ],
      'Let me look.',
    );
    const metaA = {
      function_name: 'think',
      tool_call_id: 'a',
      model_response: raw,
      total_calls_in_response: 2,
    };
    const metaB = {
      function_name: 'execute_bash',
      tool_call_id: 'b',
      model_response: raw,
      total_calls_in_response: 2,
    };
    const think = stored({
      ...createAction('think', { thought: 'x' }),
      source: 'agent',
      tool_call_metadata: metaA,
    });
    history.observe(think);
    history.observe(
      stored({
        ...createObservation('think', 'Your thought has been logged.'),
        source: 'agent',
        cause: think.id,
        tool_call_metadata: metaA,
      }),
    );
    const run = stored({
      ...createAction('run', { command: 'ls' }),
      source: 'agent',
      tool_call_metadata: metaB,
    });
    history.observe(run);
    expect(history.messages().map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'tool']);
    expect(history.messages().at(-1)).toMatchObject({
      role: 'tool',
      toolCallId: 'b',
      content: 'This action has not been executed.',
    });
    history.observe(
      stored({
        ...createObservation('run', 'a.txt', {
          command: 'ls',
          metadata: { exit_code: 0, working_dir: '/workspace' } as never,
        }),
        source: 'agent',
        cause: run.id,
        tool_call_metadata: metaB,
      }),
    );
    const messages = history.messages();
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'tool']);
    expect(messages[2]).toMatchObject({
      role: 'assistant',
      content: 'Let me look.',
      toolCalls: [{ id: 'a' }, { id: 'b' }],
    });
    expect(messages[4]).toMatchObject({
      toolCallId: 'b',
      content: 'a.txt\n[Current working directory: /workspace]\n[Command finished with exit code 0]',
    });
  });

  it('truncates long observations for the model in the middle', () => {
    const history = new MessageHistory({ maxMessageChars: 200 });
    history.observe(stored({ ...createAction('message', { content: 'task' }), source: 'user' }));
    const raw = response('rx', [{ id: 'x', name: 'execute_bash', arguments: '{}' }]);
    const meta = {
      function_name: 'execute_bash',
      tool_call_id: 'x',
      model_response: raw,
      total_calls_in_response: 1,
    };
    history.observe(
      stored({ ...createAction('run', { command: 'seq' }), source: 'agent', tool_call_metadata: meta }),
    );
    history.observe(
      stored({
        ...createObservation('run', 'a'.repeat(5000), {
          command: 'seq',
          metadata: { exit_code: 0 } as never,
        }),
        source: 'agent',
        tool_call_metadata: meta,
      }),
    );
    const content = String(history.messages().at(-1)!.content);
    expect(content.length).toBeLessThanOrEqual(200);
    expect(content).toContain('[... Observation truncated due to length ...]');
  });

  it('per-step cost does not grow with history: observing an event is O(1) at 10 or 20,000 events', () => {
    const measure = (prefill: number) => {
      const history = new MessageHistory();
      history.observe(stored({ ...createAction('system', { content: 'SYS' }), source: 'agent' }));
      for (let n = 0; n < prefill; n++) toolStep(history, n);
      const started = performance.now();
      for (let n = 0; n < 2_000; n++) toolStep(history, prefill + n);
      return performance.now() - started;
    };
    measure(10);
    const small = Math.min(measure(10), measure(10));
    const large = Math.min(measure(20_000), measure(20_000));
    // Generous bound for a loaded 2-core machine; a rebuild-per-step design would be ~1000x slower here.
    expect(large).toBeLessThan(small * 5 + 20);
  });

  it('applies a condensation once: forgotten events leave, the summary comes in after the kept head', () => {
    const history = new MessageHistory();
    const system = stored({ ...createAction('system', { content: 'SYS' }), source: 'agent' });
    history.observe(system);
    const task = stored({ ...createAction('message', { content: 'task' }), source: 'user' });
    history.observe(task);
    const before = nextId;
    for (let n = 0; n < 5; n++) toolStep(history, 1_000 + n);
    const forgotten = Array.from({ length: 6 }, (_, i) => before + i);
    history.observe(
      stored({
        ...createAction('condensation', {
          forgotten_event_ids: forgotten,
          summary: 'did 3 echos',
          summary_offset: 2,
        }),
        source: 'agent',
      }),
    );
    const messages = history.messages();
    expect(messages.map((m) => m.role)).toEqual([
      'system',
      'user',
      'user',
      'assistant',
      'tool',
      'assistant',
      'tool',
    ]);
    expect(messages[2]).toMatchObject({
      role: 'user',
      content: 'Summary of the earlier part of this conversation:\ndid 3 echos',
    });
  });
});
