import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAction } from '@deft/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { type RunningServer, startServer } from '../lifecycle/serve.js';
import { createLogger } from '../logging/logger.js';

interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** Reads SSE messages from a fetch response until `enough` says stop (then aborts the request). */
async function readStream(
  url: string,
  headers: Record<string, string>,
  enough: (messages: SseMessage[]) => boolean,
): Promise<SseMessage[]> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body!.getReader();
  const messages: SseMessage[] = [];
  let buffer = '';
  const deadline = Date.now() + 15_000;
  try {
    while (!enough(messages) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += new TextDecoder().decode(value);
      let split = buffer.indexOf('\n\n');
      while (split !== -1) {
        const block = buffer.slice(0, split);
        buffer = buffer.slice(split + 2);
        const message: SseMessage = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) message.comment = line.slice(1).trim();
          else {
            const colon = line.indexOf(':');
            (message as Record<string, string>)[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
          }
        }
        messages.push(message);
        split = buffer.indexOf('\n\n');
      }
    }
  } finally {
    controller.abort();
  }
  return messages;
}

describe('SSE event stream with cursor resume (issue 5 item 3)', () => {
  let home: string;
  let server: RunningServer;
  let id: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'deft-sse-'));
    server = await startServer(
      loadConfig({
        env: { DEFT_HOME: home, DEFT_SERVER__STREAM_HEARTBEAT_MS: '200' },
        overrides: { port: 0 },
      }),
      {
        logger: createLogger({ level: 'silent' }),
      },
    );
    id = (await server.conversations.create({})).conversation_id;
    for (let n = 0; n < 5; n++)
      await server.events.append(id, createAction('message', { content: `stored ${n}` }, { source: 'user' }));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('replays after ?after=, then streams live events, each with its id; sends heartbeats', async () => {
    const url = `${server.url}/api/v1/conversations/${id}/events?after=1`;
    const appendLater = setTimeout(
      () =>
        void server.events.append(id, createAction('message', { content: 'live one' }, { source: 'user' })),
      300,
    );
    const messages = await readStream(
      url,
      {},
      (all) => all.some((m) => m.data?.includes('live one')) && all.some((m) => m.comment === 'heartbeat'),
    );
    clearTimeout(appendLater);
    const events = messages.filter((m) => m.event === 'event');
    expect(events.map((m) => m.id)).toEqual(['2', '3', '4', '5']);
    expect(JSON.parse(events[0]!.data!)).toMatchObject({
      id: 2,
      action: 'message',
      args: { content: 'stored 2' },
    });
    expect(messages.some((m) => m.comment === 'heartbeat')).toBe(true);
  });

  it('resumes from Last-Event-ID without gap or duplicate', async () => {
    const messages = await readStream(
      `${server.url}/api/v1/conversations/${id}/events`,
      { 'last-event-id': '3' },
      (all) => all.filter((m) => m.event === 'event').length >= 2,
    );
    expect(messages.filter((m) => m.event === 'event').map((m) => m.id)).toEqual(['4', '5']);
  });

  it('answers 404 for an unknown conversation and 400 for a bad cursor', async () => {
    expect((await fetch(`${server.url}/api/v1/conversations/${'f'.repeat(32)}/events`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/v1/conversations/${id}/events?after=abc`)).status).toBe(400);
  });
});
