import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAction } from '@deft/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadConfig } from '../config/index.js';
import { type RunningServer, startServer } from '../lifecycle/serve.js';
import { createLogger } from '../logging/logger.js';

function collect(
  url: string,
  count: number,
): Promise<{ type: string; id?: number; event?: Record<string, unknown> }[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages: { type: string; id?: number }[] = [];
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`timed out with ${messages.length} messages`));
    }, 10_000);
    ws.on('message', (data) => {
      messages.push(JSON.parse(String(data)));
      if (messages.length >= count) {
        clearTimeout(timer);
        ws.close();
        resolve(messages);
      }
    });
    ws.on('unexpected-response', (_request, response) => {
      clearTimeout(timer);
      reject(new Error(`HTTP ${response.statusCode}`));
    });
    ws.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

describe('WebSocket event stream with cursor resume (issue 5 item 3)', () => {
  let home: string;
  let server: RunningServer;
  let id: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'deft-ws-'));
    server = await startServer(loadConfig({ env: { DEFT_HOME: home }, overrides: { port: 0 } }), {
      logger: createLogger({ level: 'silent' }),
    });
    id = (await server.conversations.create({})).conversation_id;
    for (let n = 0; n < 4; n++)
      await server.events.append(id, createAction('message', { content: `m${n}` }, { source: 'user' }));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('replays after the cursor, then delivers live events, in order and once', async () => {
    const base = server.url.replace('http', 'ws');
    const pending = collect(`${base}/api/v1/conversations/${id}/events?after=1`, 3);
    setTimeout(
      () => void server.events.append(id, createAction('message', { content: 'live' }, { source: 'user' })),
      200,
    );
    const messages = await pending;
    expect(messages.map((m) => [m.type, m.id])).toEqual([
      ['event', 2],
      ['event', 3],
      ['event', 4],
    ]);
    expect(messages[2]!.event).toMatchObject({ args: { content: 'live' } });
  });

  it('refuses an unknown conversation (404) and a bad cursor (400)', async () => {
    const base = server.url.replace('http', 'ws');
    await expect(collect(`${base}/api/v1/conversations/${'f'.repeat(32)}/events`, 1)).rejects.toThrow(/404/);
    await expect(collect(`${base}/api/v1/conversations/${id}/events?after=x`, 1)).rejects.toThrow(/400/);
  });
});
