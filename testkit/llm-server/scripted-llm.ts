import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer of the fake OpenAI Chat Completions server. */
export type ScriptStep =
  | {
      kind?: 'reply';
      text?: string;
      /** `arguments` may be an object (serialized) or a raw string (sent as is, malformed on purpose if you like). */
      toolCalls?: { name: string; arguments: Record<string, unknown> | string; id?: string }[];
      usage?: { prompt_tokens?: number; completion_tokens?: number };
      /** ms to wait before answering (a slow model); the request is marked aborted if the client goes away. */
      delayMs?: number;
      finishReason?: string;
    }
  | {
      kind: 'error';
      status: number;
      message?: string;
      code?: string;
      retryAfterSeconds?: number;
      delayMs?: number;
    }
  | { kind: 'malformed'; body?: string }
  | { kind: 'function'; respond: (request: RecordedRequest) => ScriptStep };

export interface RecordedRequest {
  at: number;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: {
    model?: string;
    stream?: boolean;
    messages?: { role: string; content?: unknown; tool_calls?: unknown[]; tool_call_id?: string }[];
    tools?: { type: string; function: { name: string; description?: string; parameters?: unknown } }[];
    [key: string]: unknown;
  };
  /** true when the client closed the connection before the answer was complete (e.g. an aborted call) */
  aborted: boolean;
}

export interface ScriptedLlm {
  baseUrl: string;
  requests: RecordedRequest[];
  enqueue(...steps: ScriptStep[]): void;
  /** Steps still waiting to be used. */
  pending(): number;
  close(): Promise<void>;
}

export interface ScriptedLlmOptions {
  /** Used when the script is empty: default an error 500 naming the empty script. */
  fallback?: ScriptStep;
  model?: string;
  /** Keep every request for assertions (default true); benchmarks turn it off to stay constant in memory. */
  record?: boolean;
  /**
   * Answers auxiliary calls — requests tagged with an `x-deft-purpose` header, such as conversation titles —
   * without touching the script, so they never steal a step meant for the agent. Default: a short text reply.
   */
  auxiliary?: (purpose: string, request: RecordedRequest) => ScriptStep;
}

/**
 * A real HTTP server speaking the OpenAI Chat Completions API (POST /v1/chat/completions and
 * /chat/completions, streaming and not, tool calls), answering from a script and recording every request.
 * Every test that needs an LLM talks to one of these; nothing mocks the model inside the code under test.
 */
export async function startScriptedLlm(options: ScriptedLlmOptions = {}): Promise<ScriptedLlm> {
  const script: ScriptStep[] = [];
  const requests: RecordedRequest[] = [];
  let counter = 0;
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0]!;
    if (req.method === 'GET' && /\/models$/.test(path)) {
      return json(res, 200, {
        object: 'list',
        data: [{ id: options.model ?? 'scripted-model', object: 'model' }],
      });
    }
    if (req.method !== 'POST' || !/\/chat\/completions$/.test(path))
      return json(res, 404, { error: { message: 'not found' } });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const record: RecordedRequest = {
      at: Date.now(),
      path,
      headers: req.headers,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as RecordedRequest['body'],
      aborted: false,
    };
    if (options.record !== false) requests.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.aborted = true;
    });
    const purpose = req.headers['x-deft-purpose'];
    let step: ScriptStep =
      typeof purpose === 'string'
        ? (options.auxiliary?.(purpose, record) ?? { text: `Scripted ${purpose}` })
        : (script.shift() ??
          options.fallback ?? { kind: 'error', status: 500, message: 'the scripted LLM has no step left' });
    while (step.kind === 'function') step = step.respond(record);
    if ('delayMs' in step && step.delayMs) {
      await new Promise((resolve) => setTimeout(resolve, step.delayMs));
      if (record.aborted) return;
    }
    if (step.kind === 'error') {
      const headers: Record<string, string> = {};
      if (step.retryAfterSeconds !== undefined) headers['retry-after'] = String(step.retryAfterSeconds);
      return json(
        res,
        step.status,
        {
          error: {
            message: step.message ?? `scripted error ${step.status}`,
            type: 'scripted',
            code: step.code ?? null,
          },
        },
        headers,
      );
    }
    if (step.kind === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(step.body ?? '{"choices": [ this is not json');
      return;
    }
    const id = `chatcmpl-scripted-${++counter}`;
    const model = record.body.model ?? options.model ?? 'scripted-model';
    const toolCalls = (step.toolCalls ?? []).map((call, index) => ({
      index,
      id: call.id ?? `call_${counter}_${index}`,
      type: 'function',
      function: {
        name: call.name,
        arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
      },
    }));
    const usage = {
      prompt_tokens: step.usage?.prompt_tokens ?? 100,
      completion_tokens: step.usage?.completion_tokens ?? 20,
      total_tokens: (step.usage?.prompt_tokens ?? 100) + (step.usage?.completion_tokens ?? 20),
    };
    const finishReason = step.finishReason ?? (toolCalls.length ? 'tool_calls' : 'stop');
    if (record.body.stream)
      return stream(res, {
        id,
        model,
        text: step.text ?? '',
        toolCalls,
        usage,
        finishReason,
        includeUsage: Boolean(
          (record.body.stream_options as { include_usage?: boolean } | undefined)?.include_usage,
        ),
      });
    json(res, 200, {
      id,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        {
          index: 0,
          finish_reason: finishReason,
          message: {
            role: 'assistant',
            content: step.text ?? null,
            ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
          },
        },
      ],
      usage,
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue: (...steps) => script.push(...steps),
    pending: () => script.length,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function stream(
  res: ServerResponse,
  answer: {
    id: string;
    model: string;
    text: string;
    toolCalls: { index: number; id: string; type: string; function: { name: string; arguments: string } }[];
    usage: Record<string, number>;
    finishReason: string;
    includeUsage: boolean;
  },
): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const created = Math.floor(Date.now() / 1000);
  const chunk = (
    delta: Record<string, unknown>,
    finish: string | null = null,
    extra: Record<string, unknown> = {},
  ) =>
    res.write(
      `data: ${JSON.stringify({ id: answer.id, object: 'chat.completion.chunk', created, model: answer.model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`,
    );
  chunk({ role: 'assistant', content: '' });
  // Text in a few pieces, so a client can show it as it arrives.
  const pieces = answer.text.match(/.{1,8}/gs) ?? [];
  for (const piece of pieces) chunk({ content: piece });
  for (const call of answer.toolCalls) {
    chunk({
      tool_calls: [
        {
          index: call.index,
          id: call.id,
          type: 'function',
          function: { name: call.function.name, arguments: '' },
        },
      ],
    });
    const args = call.function.arguments;
    const half = Math.ceil(args.length / 2);
    for (const part of [args.slice(0, half), args.slice(half)])
      if (part) chunk({ tool_calls: [{ index: call.index, function: { arguments: part } }] });
  }
  chunk({}, answer.finishReason);
  if (answer.includeUsage)
    res.write(
      `data: ${JSON.stringify({ id: answer.id, object: 'chat.completion.chunk', created, model: answer.model, choices: [], usage: answer.usage })}\n\n`,
    );
  res.write('data: [DONE]\n\n');
  res.end();
}
