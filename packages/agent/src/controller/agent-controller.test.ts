import { createAction, createObservation } from '@deft/protocol';
import { type ScriptedLlm, startScriptedLlm } from '@deft/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CodeActAgent } from '../codeact/codeact-agent.js';
import { createLlmClient } from '../llm/llm-client.js';
import type { StatusUpdate } from '../ports.js';
import { functionRunner, MemoryEventLog } from '../testing/memory-log.js';
import { AgentController, type AgentControllerOptions } from './agent-controller.js';

const call = (name: string, args: Record<string, unknown> | string) => ({
  toolCalls: [{ name, arguments: args }],
});
const FAST_RETRY = { retries: 3, minWaitMs: 10, maxWaitMs: 50, multiplier: 2 };

/** A fake sandbox for controller tests: `run` echoes, so tests stay fast; the e2e test uses a real one. */
const echoRunner = functionRunner(async (action) => {
  const command = String((action.args as { command?: string }).command ?? '');
  return createObservation('run', `ran: ${command}`, { command, metadata: { exit_code: 0 } as never });
});

describe('AgentController with the CodeAct agent and the scripted LLM (reference §3.4, §3.6, §9.2)', () => {
  let llm: ScriptedLlm;
  const controllers: AgentController[] = [];
  beforeAll(async () => {
    llm = await startScriptedLlm();
  });
  afterEach(async () => {
    await Promise.all(controllers.splice(0).map((controller) => controller.close()));
    expect(llm.pending()).toBe(0);
  });
  afterAll(() => llm.close());

  function setup(options: Partial<AgentControllerOptions> = {}, model = 'openai-compatible/scripted') {
    const log = new MemoryEventLog();
    const statuses: StatusUpdate[] = [];
    const agent = new CodeActAgent({
      llm: createLlmClient({
        model,
        baseUrl: llm.baseUrl,
        apiKey: 'k',
        priceOverrides: { scripted: { input: 1_000, output: 1_000 } },
      }),
    });
    const controller = new AgentController({
      conversationId: 'c'.repeat(32),
      agent,
      log,
      runner: echoRunner,
      onStatus: (status) => statuses.push(status),
      ...options,
      config: { llmRetry: FAST_RETRY, ...options.config },
    });
    controllers.push(controller);
    return { log, statuses, controller, agent };
  }

  it('§3.6 emits the typical stored sequence for a new conversation with an initial message', async () => {
    llm.enqueue(call('think', { thought: 'plan the work' }), call('finish', { message: 'Done.' }));
    const { log, controller } = setup();
    await controller.start({ initialMessage: 'do the task' });
    await log.waitFor(
      (e) =>
        'observation' in e &&
        e.observation === 'agent_state_changed' &&
        (e.extras as { agent_state: string }).agent_state === 'finished',
    );
    expect(log.summary()).toEqual([
      '0 environment obs:agent_state_changed:loading',
      '1 agent system',
      '2 user message',
      '3 environment change_agent_state:running',
      '4 user recall:workspace_context',
      '5 environment obs:agent_state_changed:running',
      '6 environment obs:null <-4',
      '7 agent think',
      '8 agent obs:think <-7',
      '9 agent finish',
      '10 environment obs:agent_state_changed:finished',
    ]);
    const think = log.events[7]!;
    expect(think).toMatchObject({
      message: 'I am thinking...: plan the work',
      tool_call_metadata: { function_name: 'think', total_calls_in_response: 1 },
    });
    expect(think.llm_metrics).toMatchObject({
      accumulated_token_usage: { prompt_tokens: 100, completion_tokens: 20 },
    });
    expect(log.events[8]!.tool_call_metadata?.tool_call_id).toBe(think.tool_call_metadata?.tool_call_id);
    expect(log.events[9]).toMatchObject({ action: 'finish', args: { final_thought: 'Done.' } });
    // The second request carried the think call and its result, and the system prompt with the tools.
    const second = llm.requests.at(-1)!.body;
    expect(second.messages?.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(second.tools?.map((t) => t.function.name)).toEqual([
      'execute_bash',
      'str_replace_editor',
      'think',
      'finish',
      'task_tracker',
    ]);
  });

  it('without an initial message it waits for the user; a message then runs the agent; text replies wait again', async () => {
    llm.enqueue({ text: 'Which file should I look at?' });
    const { log, controller } = setup();
    await controller.start();
    expect(controller.state).toBe('awaiting_user_input');
    await controller.submit(createAction('message', { content: 'hello' }));
    await log.waitFor((e) => 'action' in e && e.action === 'message' && e.source === 'agent');
    await log.waitFor(
      (e) =>
        'observation' in e &&
        (e.extras as { agent_state?: string }).agent_state === 'awaiting_user_input' &&
        e.id > 5,
    );
    expect(
      log.events.find((e) => 'action' in e && e.action === 'message' && e.source === 'agent'),
    ).toMatchObject({ args: { wait_for_response: true, content: 'Which file should I look at?' } });
  });

  it('two 429s then success: rate_limited with STATUS$LLM_RETRY statuses, then running again', async () => {
    llm.enqueue(
      { kind: 'error', status: 429 },
      { kind: 'error', status: 429 },
      call('finish', { message: 'ok' }),
    );
    const { log, statuses, controller } = setup();
    await controller.start({ initialMessage: 'go' });
    await log.waitFor(
      (e) => 'observation' in e && (e.extras as { agent_state?: string }).agent_state === 'finished',
    );
    const states = log.events
      .filter((e) => 'observation' in e && e.observation === 'agent_state_changed')
      .map((e) => (e.extras as { agent_state: string }).agent_state);
    expect(states).toEqual(['loading', 'running', 'rate_limited', 'running', 'finished']);
    expect(statuses.filter((s) => s.id === 'STATUS$LLM_RETRY').map((s) => s.message)).toEqual([
      'Retrying LLM request, 1 / 3',
      'Retrying LLM request, 2 / 3',
    ]);
  });

  it('an authentication error ends in the error state with STATUS$ERROR_LLM_AUTHENTICATION', async () => {
    llm.enqueue({ kind: 'error', status: 401 });
    const { log, statuses, controller } = setup();
    await controller.start({ initialMessage: 'go' });
    await log.waitFor(
      (e) => 'observation' in e && (e.extras as { agent_state?: string }).agent_state === 'error',
    );
    expect(statuses).toContainEqual(
      expect.objectContaining({ type: 'error', id: 'STATUS$ERROR_LLM_AUTHENTICATION' }),
    );
    expect(controller.state).toBe('error');
  });

  it('an exhausted budget stops the agent visibly', async () => {
    llm.enqueue(call('think', { thought: 'expensive' }));
    const { log, controller } = setup({ config: { maxBudgetPerTask: 0.05 } });
    await controller.start({ initialMessage: 'go' });
    const stopped = await log.waitFor(
      (e) => 'observation' in e && (e.extras as { agent_state?: string }).agent_state === 'error',
    );
    expect((stopped.extras as { reason: string }).reason).toMatch(
      /^Agent reached maximum budget for conversation\.Current budget: 0\.12, max budget: 0\.05$/,
    );
  });

  it('the iteration limit stops the agent with the reference reason', async () => {
    llm.enqueue(call('think', { thought: 'a' }), call('think', { thought: 'b' }));
    const { log, controller } = setup({ config: { maxIterations: 2 } });
    await controller.start({ initialMessage: 'go' });
    const stopped = await log.waitFor(
      (e) => 'observation' in e && (e.extras as { agent_state?: string }).agent_state === 'error',
    );
    expect((stopped.extras as { reason: string }).reason).toBe(
      'Agent reached maximum iteration. Current iteration: 2, max iteration: 2',
    );
  });

  it('§9.2 a stuck loop (4 identical action/observation pairs) ends in error with "Agent got stuck in a loop"', async () => {
    for (let n = 0; n < 4; n++) llm.enqueue(call('execute_bash', { command: 'ls', security_risk: 'LOW' }));
    const { log, controller } = setup();
    await controller.start({ initialMessage: 'go' });
    const stopped = await log.waitFor(
      (e) => 'observation' in e && (e.extras as { agent_state?: string }).agent_state === 'error',
    );
    expect((stopped.extras as { reason: string }).reason).toBe('Agent got stuck in a loop');
    expect(log.events.filter((e) => 'action' in e && e.action === 'run')).toHaveLength(4);
  });

  it('stop during an LLM call aborts the HTTP request (the scripted server sees it) and records stopped', async () => {
    llm.enqueue({ ...call('think', { thought: 'slow' }), delayMs: 10_000 });
    const { log, controller } = setup();
    await controller.start({ initialMessage: 'go' });
    while (!llm.requests.at(-1) || llm.requests.at(-1)!.body.messages?.at(-1)?.role !== 'user')
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await controller.submit(createAction('change_agent_state', { agent_state: 'stopped' }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(llm.requests.at(-1)!.aborted).toBe(true);
    expect(controller.state).toBe('stopped');
    expect(log.events.filter((e) => 'action' in e && e.action === 'think')).toHaveLength(0);
  });

  it('confirmation mode: a HIGH-risk action waits; confirmed runs it, rejected answers user_rejected', async () => {
    llm.enqueue(
      call('execute_bash', { command: 'rm -rf build', security_risk: 'HIGH' }),
      call('execute_bash', { command: 'rm -rf dist', security_risk: 'HIGH' }),
      call('finish', { message: 'done' }),
    );
    const { log, controller } = setup({ config: { confirmationMode: 'high' } });
    await controller.start({ initialMessage: 'clean up' });
    await log.waitFor(
      (e) =>
        'observation' in e &&
        (e.extras as { agent_state?: string }).agent_state === 'awaiting_user_confirmation',
    );
    expect(log.events.find((e) => 'action' in e && e.action === 'run')).toMatchObject({
      args: { confirmation_state: 'awaiting_confirmation', command: 'rm -rf build' },
    });
    await controller.submit(createAction('change_agent_state', { agent_state: 'user_confirmed' }));
    await log.waitFor(
      (e) => 'observation' in e && e.observation === 'run' && e.content === 'ran: rm -rf build',
    );
    await log.waitFor(
      (e) => 'action' in e && e.action === 'run' && (e.args as { command: string }).command === 'rm -rf dist',
    );
    await log.waitFor(
      (e) =>
        'observation' in e &&
        (e.extras as { agent_state?: string }).agent_state === 'awaiting_user_confirmation' &&
        e.id > 12,
    );
    await controller.submit(createAction('change_agent_state', { agent_state: 'user_rejected' }));
    const rejected = await log.waitFor((e) => 'observation' in e && e.observation === 'user_rejected');
    expect(rejected.content).toBe('Action has been rejected by the user! Waiting for further user input.');
    expect(controller.state).toBe('awaiting_user_input');
    await controller.submit(createAction('message', { content: 'ok, finish' }));
    await log.waitFor(
      (e) => 'observation' in e && (e.extras as { agent_state?: string }).agent_state === 'finished',
    );
  });

  it('§9.1 malformed tool calls become error observations the model sees as tool results', async () => {
    llm.enqueue(
      call('execute_bash', { security_risk: 'LOW' }),
      call('teleport', { where: 'mars' }),
      call('finish', { message: 'ok' }),
    );
    const { log, controller } = setup();
    await controller.start({ initialMessage: 'go' });
    await log.waitFor(
      (e) => 'observation' in e && (e.extras as { agent_state?: string }).agent_state === 'finished',
    );
    const errors = log.events
      .filter((e) => 'observation' in e && e.observation === 'error')
      .map((e) => ('content' in e ? e.content : ''));
    expect(errors).toEqual([
      'Missing required argument "command" in tool call execute_bash',
      'Tool teleport is not registered. (arguments: {"where":"mars"}). Please check the tool name and retry with an existing tool.',
    ]);
    const lastMessages = llm.requests.at(-1)!.body.messages!;
    expect(lastMessages.filter((m) => m.role === 'tool').map((m) => String(m.content))).toEqual([
      'ERROR: Missing required argument "command" in tool call execute_bash',
      'ERROR: Tool teleport is not registered. (arguments: {"where":"mars"}). Please check the tool name and retry with an existing tool.',
    ]);
  });
});
