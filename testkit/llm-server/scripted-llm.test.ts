import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScriptedLlm, startScriptedLlm } from './scripted-llm.js';

describe('scripted OpenAI-compatible LLM server', () => {
  let llm: ScriptedLlm;
  beforeAll(async () => {
    llm = await startScriptedLlm();
  });
  afterAll(() => llm.close());

  const post = (body: object, path = '/chat/completions') =>
    fetch(`${llm.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers scripted text and tool calls, raw arguments kept as given, and records the request', async () => {
    llm.enqueue({
      text: 'hello',
      toolCalls: [
        { name: 'think', arguments: { thought: 'x' } },
        { name: 'finish', arguments: '{"message": broken' },
      ],
    });
    const response = (await (
      await post({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })
    ).json()) as any;
    expect(response.choices[0].message.content).toBe('hello');
    expect(response.choices[0].message.tool_calls.map((c: any) => c.function.arguments)).toEqual([
      '{"thought":"x"}',
      '{"message": broken',
    ]);
    expect(response.choices[0].finish_reason).toBe('tool_calls');
    expect(llm.requests.at(-1)!.body.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('streams text deltas and tool-call argument pieces, then usage and [DONE]', async () => {
    llm.enqueue({
      text: 'streamed answer text',
      toolCalls: [{ name: 'think', arguments: { thought: 'abc' } }],
    });
    const text = await (
      await post({ model: 'm', stream: true, stream_options: { include_usage: true }, messages: [] })
    ).text();
    const events = text
      .split('\n\n')
      .filter(Boolean)
      .map((line) => line.replace(/^data: /, ''));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event));
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('streamed answer text');
    const args = chunks
      .flatMap((c) => c.choices[0]?.delta?.tool_calls ?? [])
      .map((t: any) => t.function.arguments ?? '')
      .join('');
    expect(args).toBe('{"thought":"abc"}');
    expect(chunks.at(-1).usage.total_tokens).toBe(120);
  });

  it('answers errors on cue (429 with Retry-After, 500) and a malformed body', async () => {
    llm.enqueue(
      { kind: 'error', status: 429, retryAfterSeconds: 2 },
      { kind: 'error', status: 500 },
      { kind: 'malformed' },
    );
    const limited = await post({ messages: [] });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect((await post({ messages: [] })).status).toBe(500);
    const malformed = await post({ messages: [] });
    expect(malformed.status).toBe(200);
    await expect(malformed.json()).rejects.toThrow();
  });

  it('marks a slow request the client abandoned as aborted', async () => {
    llm.enqueue({ text: 'too late', delayMs: 2_000 });
    const controller = new AbortController();
    const pending = fetch(`${llm.baseUrl}/chat/completions`, {
      method: 'POST',
      body: '{}',
      signal: controller.signal,
    }).catch(() => 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    expect(await pending).toBe('aborted');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(llm.requests.at(-1)!.aborted).toBe(true);
  });
});
