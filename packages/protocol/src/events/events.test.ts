import { describe, expect, it } from 'vitest';
import { DeftError } from '../errors/index.js';
import {
  ACTION_TYPES,
  createAction,
  createObservation,
  OBSERVATION_TYPES,
  parseAction,
  parseEvent,
  safeParseEvent,
  serializeEvent,
} from './index.js';

const roundTrip = (payload: Record<string, unknown>) => serializeEvent(parseEvent(payload));

const APPENDIX_A: Record<string, Record<string, unknown>> = {
  agentStateChanged: {
    id: 5,
    timestamp: '2025-11-20T10:00:01.000001',
    source: 'environment',
    message: '',
    observation: 'agent_state_changed',
    content: '',
    extras: { agent_state: 'running', reason: '' },
  },
  think: {
    id: 9,
    timestamp: '2025-11-20T10:00:02',
    source: 'agent',
    message: 'I am thinking...: plan',
    action: 'think',
    args: { thought: 'plan' },
  },
  thinkObservation: {
    id: 10,
    timestamp: '2025-11-20T10:00:02',
    source: 'agent',
    message: 'Your thought has been logged.',
    cause: 9,
    observation: 'think',
    content: 'Your thought has been logged.',
    extras: {},
  },
  edit: {
    id: 27,
    timestamp: '2025-11-20T10:00:03',
    source: 'agent',
    message: '',
    action: 'edit',
    args: {
      path: '/workspace/a.py',
      command: 'str_replace',
      file_text: null,
      old_str: 'x = 1',
      new_str: 'x = 2',
      insert_line: null,
      content: '',
      start: 1,
      end: -1,
      thought: 'Fix constant',
      security_risk: 0,
      impl_source: 'oh_aci',
    },
    tool_call_metadata: {
      function_name: 'str_replace_editor',
      tool_call_id: 'toolu_01',
      model_response: { id: 'resp' },
      total_calls_in_response: 1,
    },
    llm_metrics: {
      accumulated_cost: 0.0123,
      max_budget_per_task: null,
      accumulated_token_usage: {
        model: 'm',
        prompt_tokens: 5000,
        completion_tokens: 120,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        context_window: 200000,
        per_turn_token: 0,
        response_id: '',
      },
      costs: [],
      response_latencies: [],
      token_usages: [],
    },
  },
  editObservation: {
    id: 28,
    timestamp: '2025-11-20T10:00:04',
    source: 'agent',
    message: 'I edited the file /workspace/a.py.',
    cause: 27,
    observation: 'edit',
    content:
      "The file /workspace/a.py has been edited. Here's the result of running `cat -n` on a snippet of /workspace/a.py:\n     1\tx = 2\nReview the changes and make sure they are as expected. Edit the file again if necessary.",
    extras: {
      path: '/workspace/a.py',
      prev_exist: false,
      old_content: 'x = 1',
      new_content: 'x = 2',
      impl_source: 'oh_aci',
      diff: '--- /workspace/a.py\n+++ /workspace/a.py\n@@ -1 +1 @@\n-x = 1\n+x = 2',
      _diff_cache: null,
    },
    tool_call_metadata: {
      function_name: 'str_replace_editor',
      tool_call_id: 'toolu_01',
      total_calls_in_response: 1,
    },
  },
  finish: {
    id: 40,
    timestamp: '2025-11-20T10:00:05',
    source: 'agent',
    message: "All done! What's next on the agenda?",
    action: 'finish',
    args: { final_thought: 'I created the app.', outputs: {}, thought: '' },
  },
  error: {
    id: 12,
    timestamp: '2025-11-20T10:00:06',
    source: 'agent',
    message: 'Missing required argument "command" in tool call execute_bash',
    observation: 'error',
    content: 'Missing required argument "command" in tool call execute_bash',
    extras: { error_id: '' },
  },
  recall: {
    id: 6,
    timestamp: '2025-11-20T10:00:07',
    source: 'environment',
    message: 'Added workspace context',
    cause: 4,
    observation: 'recall',
    content: 'Added workspace context',
    extras: {
      recall_type: 'workspace_context',
      repo_name: '',
      repo_directory: '',
      repo_branch: '',
      repo_instructions: '',
      runtime_hosts: { 'http://localhost:54079': 54079, 'http://localhost:58272': 58272 },
      additional_agent_instructions: '',
      date: '2025-11-20',
      custom_secrets_descriptions: {},
      conversation_instructions: '',
      working_dir: '/workspace',
      microagent_knowledge: [{ name: 'github', trigger: 'github', content: '...' }],
    },
  },
  runRequest: {
    id: 7,
    timestamp: '2025-11-20T10:00:08',
    source: 'agent',
    message: 'Running command: ls',
    action: 'run',
    args: {
      command: 'ls',
      is_input: false,
      thought: '',
      blocking: false,
      is_static: false,
      cwd: null,
      hidden: false,
      confirmation_state: 'confirmed',
      security_risk: -1,
    },
    timeout: 120,
  },
  runResponse: {
    message: 'Command `ls` executed with exit code 0.',
    observation: 'run',
    content: 'a.txt',
    extras: {
      command: 'ls',
      metadata: {
        exit_code: 0,
        pid: -1,
        username: 'openhands',
        hostname: 'abc',
        working_dir: '/workspace',
        py_interpreter_path: '/usr/bin/python',
        prefix: '',
        suffix: '\n[The command completed with exit code 0.]',
      },
      hidden: false,
    },
    success: true,
  },
  userMessage: {
    id: 2,
    timestamp: '2025-04-30T16:32:54.708196',
    source: 'user',
    message: 'hello',
    action: 'message',
    args: { content: 'hello', file_urls: [], image_urls: [], wait_for_response: false, security_risk: -1 },
  },
  commandObservation: {
    id: 6,
    timestamp: '2025-04-30T16:32:55',
    source: 'agent',
    message: 'Command `ls` executed with exit code 0.',
    cause: 5,
    observation: 'run',
    content: 'a.txt\nb.txt',
    extras: {
      command: 'ls',
      metadata: {
        exit_code: 0,
        pid: -1,
        username: 'openhands',
        hostname: 'abc',
        working_dir: '/workspace',
        py_interpreter_path: '/usr/bin/python',
        prefix: '',
        suffix: '\n[The command completed with exit code 0.]',
      },
      hidden: false,
    },
    success: true,
  },
};

describe('protocol events: parse → serialize round trip (reference Appendix A, §3.1)', () => {
  for (const [name, payload] of Object.entries(APPENDIX_A)) {
    it(`round-trips the ${name} example with identical content and top-level key order`, () => {
      const out = roundTrip(payload);
      expect(JSON.parse(JSON.stringify(out))).toEqual(payload);
      expect(Object.keys(out)).toEqual(Object.keys(payload));
      expect(JSON.stringify(out)).toBe(JSON.stringify(payload));
    });
  }
});

describe('protocol events: defaults (reference §3.2, §3.3)', () => {
  it('parses every action type from a minimal dict and fills its defaults and message', () => {
    for (const type of ACTION_TYPES) {
      const event = parseEvent({ action: type, args: {} });
      expect('action' in event && event.action).toBe(type);
      expect(typeof event.message).toBe('string');
    }
    const run = parseAction({ action: 'run', args: { command: 'ls' } });
    expect(run.args).toEqual({
      command: 'ls',
      is_input: false,
      thought: '',
      blocking: false,
      is_static: false,
      cwd: null,
      hidden: false,
      confirmation_state: 'confirmed',
      security_risk: -1,
    });
    expect(run.message).toBe('Running command: ls');
    expect(parseAction({ action: 'message', args: { content: 'hi' } }).args).toEqual({
      content: 'hi',
      file_urls: [],
      image_urls: [],
      wait_for_response: false,
      security_risk: -1,
    });
  });

  it('parses every observation type from a minimal dict; run success follows exit_code', () => {
    for (const type of OBSERVATION_TYPES) {
      const event = parseEvent({ observation: type, content: 'x' });
      expect('observation' in event && event.observation).toBe(type);
    }
    const failed = parseEvent({
      observation: 'run',
      content: '',
      extras: { command: 'false', metadata: { exit_code: 1 } },
    });
    expect('success' in failed && failed.success).toBe(false);
    expect(failed.message).toBe('Command `false` executed with exit code 1.');
  });

  it('keeps unknown keys inside args and extras (forward compatibility)', () => {
    const event = parseEvent({ action: 'run', args: { command: 'ls', future_flag: 3 } });
    expect(serializeEvent(event).args).toMatchObject({ future_flag: 3 });
  });
});

describe('protocol events: legacy keys (reference §3.1 event_from_dict)', () => {
  it('renames is_confirmed and images_urls, drops keep_prompt / task_completed / translated_ipython_code', () => {
    const event = parseAction({
      action: 'message',
      args: { content: 'x', images_urls: ['a'], keep_prompt: true, task_completed: true },
    });
    expect(event.args).toEqual({
      content: 'x',
      image_urls: ['a'],
      file_urls: [],
      wait_for_response: false,
      security_risk: -1,
    });
    const run = parseAction({
      action: 'run',
      args: { command: 'ls', is_confirmed: 'rejected', translated_ipython_code: 'x' },
    });
    expect(run.args).toMatchObject({ confirmation_state: 'rejected' });
    expect(run.args).not.toHaveProperty('is_confirmed');
    expect(run.args).not.toHaveProperty('translated_ipython_code');
  });

  it('moves observation extras exit_code / command_id into metadata and drops formatted_output_and_error', () => {
    const event = parseEvent({
      observation: 'run',
      content: 'ok',
      extras: { command: 'ls', exit_code: 0, command_id: 42, formatted_output_and_error: 'x' },
    });
    const extras = serializeEvent(event).extras as Record<string, unknown>;
    expect(extras.metadata).toMatchObject({ exit_code: 0, pid: 42 });
    expect(extras).not.toHaveProperty('exit_code');
    expect(extras).not.toHaveProperty('formatted_output_and_error');
  });
});

describe('protocol events: rejection with a coded error, never a raw throw', () => {
  const code = (input: unknown) => {
    const result = safeParseEvent(input);
    return result.ok ? 'ok' : result.error.code;
  };

  it('rejects unknown types with EVENT_UNKNOWN_TYPE', () => {
    expect(code({ action: 'teleport', args: {} })).toBe('EVENT_UNKNOWN_TYPE');
    expect(code({ observation: 'vision', content: '' })).toBe('EVENT_UNKNOWN_TYPE');
  });

  it('rejects malformed events with EVENT_INVALID naming the path', () => {
    expect(code(null)).toBe('EVENT_INVALID');
    expect(code('run')).toBe('EVENT_INVALID');
    expect(code([])).toBe('EVENT_INVALID');
    expect(code({})).toBe('EVENT_INVALID');
    expect(code({ action: 'run', observation: 'run' })).toBe('EVENT_INVALID');
    expect(code({ action: 5 })).toBe('EVENT_INVALID');
    expect(code({ action: 'run', args: { command: 5 } })).toBe('EVENT_INVALID');
    expect(code({ action: 'run', args: 'ls' })).toBe('EVENT_INVALID');
    expect(code({ observation: 'run', content: 3 })).toBe('EVENT_INVALID');
    expect(code({ action: 'think', args: {}, id: 'seven' })).toBe('EVENT_INVALID');
    expect(code({ action: 'think', args: {}, source: 'robot' })).toBe('EVENT_INVALID');
    try {
      parseEvent({ action: 'run', args: { command: 5 } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DeftError);
      expect((error as DeftError).message).toContain('args.command');
    }
  });
});

describe('protocol events: builders compute the reference messages', () => {
  it('§3.2 action messages', () => {
    expect(createAction('run', { command: 'ls -la' }).message).toBe('Running command: ls -la');
    expect(createAction('think', { thought: 'plan' }).message).toBe('I am thinking...: plan');
    expect(createAction('finish', { final_thought: 'done' }).message).toBe(
      "All done! What's next on the agenda?",
    );
    expect(createAction('finish', { thought: 'Wrapped up' }).message).toBe('Wrapped up');
    expect(createAction('read', { path: '/workspace/a' }).message).toBe('Reading file: /workspace/a');
    expect(createAction('change_agent_state', { agent_state: 'running' }).message).toBe(
      'Agent state changed to running',
    );
    expect(
      createAction('condensation', { forgotten_events_start_id: 3, forgotten_events_end_id: 5 }).message,
    ).toBe('Condenser is dropping the events: [3, 4, 5]');
    expect(createAction('task_tracking', { command: 'plan', task_list: [] }).message).toBe(
      'Clearing the task list.',
    );
  });

  it('§3.3 observation messages and success', () => {
    const run = createObservation('run', 'hi', { command: 'echo hi', metadata: { exit_code: 0 } as never });
    expect(run.message).toBe('Command `echo hi` executed with exit code 0.');
    expect(run.success).toBe(true);
    expect(createObservation('read', 'x', { path: '/a' }).message).toBe('I read the file /a.');
    expect(createObservation('agent_state_changed', '', { agent_state: 'running' }).message).toBe('');
    expect(createObservation('null', '').message).toBe('No observation');
    expect(() => createAction('run', { command: 5 as never })).toThrow(DeftError);
  });
});
