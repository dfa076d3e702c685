import { type ScriptedLlm, startScriptedLlm } from '@deft/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmClient } from './llm-client.js';
import { MetricsAccumulator } from './metrics.js';
import { resolveModel } from './model-string.js';
import { priceOf } from './pricing.js';

const tools = [
  {
    name: 'think',
    description: 'Log a thought',
    parameters: { type: 'object', properties: { thought: { type: 'string' } }, required: ['thought'] },
  },
];

describe('LLM layer through the AI SDK, against the scripted OpenAI-compatible server', () => {
  let llm: ScriptedLlm;
  beforeAll(async () => {
    llm = await startScriptedLlm();
  });
  afterAll(() => llm.close());

  const client = (model = 'openai-compatible/scripted-model', extra = {}) =>
    createLlmClient({ model, baseUrl: llm.baseUrl, apiKey: 'sk-test', ...extra });

  it('calls POST {base_url}/chat/completions with messages and tools, returning text, usage and a model_response', async () => {
    llm.enqueue({ text: 'Hello there', usage: { prompt_tokens: 1000, completion_tokens: 50 } });
    const response = await client().complete({
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
      tools,
    });
    expect(response.text).toBe('Hello there');
    expect(response.usage).toMatchObject({ promptTokens: 1000, completionTokens: 50 });
    expect(response.costKnown).toBe(false);
    expect(response.cost).toBe(0);
    expect(response.raw).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { role: 'assistant', content: 'Hello there' } }],
    });
    const sent = llm.requests.at(-1)!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer sk-test');
    expect(sent.body.model).toBe('scripted-model');
    expect(sent.body.messages).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hi' },
    ]);
    expect(sent.body.tools?.[0]?.function.name).toBe('think');
  });

  it('returns several tool calls with their raw arguments, malformed ones included', async () => {
    llm.enqueue({
      toolCalls: [
        { name: 'think', arguments: { thought: 'a' } },
        { name: 'think', arguments: '{"thought": oops' },
      ],
    });
    const response = await client().complete({ messages: [{ role: 'user', content: 'go' }], tools });
    expect(response.toolCalls.map((call) => [call.name, call.arguments])).toEqual([
      ['think', '{"thought":"a"}'],
      ['think', '{"thought": oops'],
    ]);
  });

  it('streams assistant text in order through onTextDelta and still returns tool calls and usage', async () => {
    llm.enqueue({
      text: 'Streaming is a side channel.',
      toolCalls: [{ name: 'think', arguments: { thought: 'z' } }],
      usage: { prompt_tokens: 7, completion_tokens: 3 },
    });
    const deltas: string[] = [];
    const response = await client().complete(
      { messages: [{ role: 'user', content: 's' }], tools },
      { onTextDelta: (delta) => deltas.push(delta) },
    );
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Streaming is a side channel.');
    expect(response.text).toBe('Streaming is a side channel.');
    expect(response.toolCalls).toEqual([
      { id: expect.any(String), name: 'think', arguments: '{"thought":"z"}' },
    ]);
    expect(response.usage).toMatchObject({ promptTokens: 7, completionTokens: 3 });
  });

  it('sends tool results back as role tool with the tool_call_id', async () => {
    llm.enqueue({ text: 'ok' });
    await client().complete({
      messages: [
        { role: 'user', content: 'u' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'call_1', name: 'think', arguments: '{"thought":"t"}' }],
        },
        { role: 'tool', toolCallId: 'call_1', toolName: 'think', content: 'Your thought has been logged.' },
      ],
      tools,
    });
    const messages = llm.requests.at(-1)!.body.messages!;
    expect(messages[1]).toMatchObject({
      role: 'assistant',
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'think', arguments: '{"thought":"t"}' } },
      ],
    });
    expect(messages[2]).toEqual({
      role: 'tool',
      tool_call_id: 'call_1',
      content: 'Your thought has been logged.',
    });
  });

  it('maps HTTP failures to coded errors with a retryable flag', async () => {
    const cases: [Parameters<ScriptedLlm['enqueue']>[0], string, boolean][] = [
      [{ kind: 'error', status: 429, retryAfterSeconds: 3 }, 'LLM_RATE_LIMITED', true],
      [{ kind: 'error', status: 401 }, 'LLM_AUTHENTICATION', false],
      [{ kind: 'error', status: 500 }, 'LLM_INTERNAL_SERVER_ERROR', true],
      [{ kind: 'error', status: 503 }, 'LLM_SERVICE_UNAVAILABLE', true],
      [
        {
          kind: 'error',
          status: 400,
          message: "This model's maximum context length is 8192 tokens",
          code: 'context_length_exceeded',
        },
        'LLM_CONTEXT_WINDOW_EXCEEDED',
        false,
      ],
      [{ kind: 'malformed' }, 'LLM_BAD_RESPONSE', true],
    ];
    for (const [step, code, retryable] of cases) {
      llm.enqueue(step);
      const error = await client()
        .complete({ messages: [{ role: 'user', content: 'x' }] })
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code, details: { retryable } });
    }
    llm.enqueue({ kind: 'error', status: 429, retryAfterSeconds: 3 });
    await expect(client().complete({ messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      details: { retry_after_ms: 3000 },
    });
  });

  it('aborts the HTTP request when the signal fires (the server sees the connection go), and times out', async () => {
    llm.enqueue({ text: 'slow', delayMs: 5_000 });
    const controller = new AbortController();
    const call = client().complete(
      { messages: [{ role: 'user', content: 'x' }] },
      { signal: controller.signal },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'LLM_ABORTED' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(llm.requests.at(-1)!.aborted).toBe(true);
    llm.enqueue({ text: 'slow', delayMs: 5_000 });
    await expect(
      client(undefined, { timeoutMs: 200 }).complete({ messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ code: 'LLM_TIMEOUT' });
  });

  it('prices known models (with overrides) and accumulates the §3.1 llm_metrics', async () => {
    llm.enqueue({ text: 'a', usage: { prompt_tokens: 1_000_000, completion_tokens: 100_000 } });
    const priced = createLlmClient({ model: 'openai/gpt-4o', baseUrl: llm.baseUrl, apiKey: 'k' });
    const response = await priced.complete({ messages: [{ role: 'user', content: 'x' }] });
    expect(response.costKnown).toBe(true);
    expect(response.cost).toBeCloseTo(2.5 + 1.0, 6);
    const metrics = new MetricsAccumulator({ maxBudgetPerTask: 10 });
    metrics.record(response);
    metrics.record(response);
    expect(metrics.toLlmMetrics()).toMatchObject({
      accumulated_cost: 7,
      max_budget_per_task: 10,
      accumulated_token_usage: {
        prompt_tokens: 2_000_000,
        completion_tokens: 200_000,
        context_window: 128_000,
      },
      cost_known: true,
    });
    expect(priceOf('anthropic/claude-sonnet-4-20250514')?.input).toBe(3);
    expect(priceOf('my/own-model', { 'own-model': { input: 1, output: 2 } })).toMatchObject({
      input: 1,
      output: 2,
    });
    expect(priceOf('unknown/model')).toBeNull();
  });

  it('resolves provider/model strings and rejects unknown providers without a base URL', () => {
    expect(resolveModel('openai/gpt-4o')).toMatchObject({ provider: 'openai', modelId: 'gpt-4o' });
    expect(resolveModel('anthropic/claude-sonnet-4-5')).toMatchObject({ provider: 'anthropic' });
    expect(resolveModel('openrouter/qwen/qwen3-coder')).toMatchObject({
      provider: 'openai-compatible',
      modelId: 'qwen/qwen3-coder',
      baseUrl: 'https://openrouter.ai/api/v1',
    });
    expect(resolveModel('ollama/llama3')).toMatchObject({ baseUrl: 'http://localhost:11434/v1' });
    expect(resolveModel('litellm_proxy/x', 'http://proxy/v1')).toMatchObject({
      provider: 'openai-compatible',
      baseUrl: 'http://proxy/v1',
    });
    expect(() => resolveModel('mystery/model')).toThrow(
      expect.objectContaining({ code: 'LLM_MODEL_INVALID' }),
    );
    expect(() => resolveModel('')).toThrow(expect.objectContaining({ code: 'LLM_MODEL_INVALID' }));
  });
});
