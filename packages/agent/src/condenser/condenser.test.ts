import { createAction, createObservation } from '@deft/protocol';
import { type ScriptedLlm, startScriptedLlm } from '@deft/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeActAgent } from '../codeact/codeact-agent.js';
import { AgentController } from '../controller/agent-controller.js';
import { createLlmClient } from '../llm/llm-client.js';
import { functionRunner, MemoryEventLog } from '../testing/memory-log.js';

const think = (thought: string) => ({ toolCalls: [{ name: 'think', arguments: { thought } }] });
const runner = functionRunner(async () => createObservation('null', ''));

describe('LLM-summarizing condenser (issue 4 item 4, reference §9.2)', () => {
  let llm: ScriptedLlm;
  beforeAll(async () => {
    llm = await startScriptedLlm();
  });
  afterAll(() => llm.close());

  it('past the size limit, replaces the middle with a summary recorded as a condensation event; the next request omits it', async () => {
    llm.enqueue(
      think('one'),
      think('two'),
      think('three'),
      { text: 'SUMMARY: thought one and two' },
      think('four'),
      { toolCalls: [{ name: 'finish', arguments: { message: 'done' } }] },
    );
    const log = new MemoryEventLog();
    const agent = new CodeActAgent({
      llm: createLlmClient({ model: 'openai-compatible/m', baseUrl: llm.baseUrl }),
      condenser: { maxSize: 7, keepFirst: 2, keepLast: 2 },
    });
    const controller = new AgentController({ conversationId: 'k'.repeat(32), agent, log, runner });
    await controller.start({ initialMessage: createAction('message', { content: 'think a lot' }) });
    await log.waitFor(
      (e) => 'observation' in e && (e.extras as { agent_state?: string }).agent_state === 'finished',
    );
    await controller.close();
    const condensation = log.events.find((e) => 'action' in e && e.action === 'condensation');
    expect(condensation).toMatchObject({
      source: 'agent',
      args: { summary: 'SUMMARY: thought one and two', summary_offset: 2 },
    });
    const forgotten = (condensation as { args: { forgotten_event_ids: number[] } }).args.forgotten_event_ids;
    expect(forgotten.length).toBeGreaterThan(0);
    expect(condensation!.message).toBe('Summary: SUMMARY: thought one and two');
    // The summary request carried the middle transcript; the request after it carries the summary, not the middle.
    const summaryRequest = llm.requests[3]!.body.messages!;
    expect(String(summaryRequest.at(-1)!.content)).toContain('thought');
    const after = llm.requests[4]!.body.messages!;
    expect(
      after.some((m) =>
        String(m.content).includes(
          'Summary of the earlier part of this conversation:\nSUMMARY: thought one and two',
        ),
      ),
    ).toBe(true);
    expect(after.length).toBeLessThan(llm.requests[2]!.body.messages!.length + 1);
  });

  it('a context-window error makes the next step condense instead of failing the conversation', async () => {
    llm.enqueue(think('a'), think('b'), {
      kind: 'error',
      status: 400,
      message: "This model's maximum context length is 100 tokens",
      code: 'context_length_exceeded',
    });
    const log = new MemoryEventLog();
    const agent = new CodeActAgent({
      llm: createLlmClient({ model: 'openai-compatible/m', baseUrl: llm.baseUrl }),
      condenser: { maxSize: 1000, keepFirst: 2, keepLast: 1 },
    });
    const controller = new AgentController({ conversationId: 'w'.repeat(32), agent, log, runner });
    await controller.start({ initialMessage: createAction('message', { content: 'go' }) });
    await log.waitFor(
      (e) => 'observation' in e && (e.extras as { agent_state?: string }).agent_state === 'error',
    );
    // The user continues; the agent condenses first (the summary call), then proceeds.
    llm.enqueue({ text: 'short summary' }, { toolCalls: [{ name: 'finish', arguments: { message: 'ok' } }] });
    await controller.submit(createAction('message', { content: 'continue' }));
    await log.waitFor(
      (e) => 'observation' in e && (e.extras as { agent_state?: string }).agent_state === 'finished',
    );
    await controller.close();
    expect(log.events.some((e) => 'action' in e && e.action === 'condensation')).toBe(true);
  });
});
