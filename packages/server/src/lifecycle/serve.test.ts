import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeftError } from '@deft/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../logging/logger.js';
import { type RunningServer, startServer } from './serve.js';

describe('server start-up and health (reference §1.3 Health)', () => {
  let home: string;
  let server: RunningServer;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'deft-serve-'));
    const config = loadConfig({ env: { DEFT_HOME: home }, overrides: { port: 0 } });
    server = await startServer(config, { logger: createLogger({ level: 'silent' }) });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 by default and answers GET /health with "OK"', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toBe('OK');
  });

  it('answers GET /alive with {"status":"ok"} and GET /server_info with uptime and resources', async () => {
    expect(await (await fetch(`${server.url}/alive`)).json()).toEqual({ status: 'ok' });
    const info = (await (await fetch(`${server.url}/server_info`)).json()) as {
      uptime: number;
      resources: { memory: { rss: number }; disk: { total: number } };
    };
    expect(info.uptime).toBeGreaterThanOrEqual(0);
    expect(info.resources.memory.rss).toBeGreaterThan(0);
    expect(info.resources.disk.total).toBeGreaterThan(0);
  });

  it('answers an unknown API route with a coded 404, not a stack trace (other paths belong to the SPA)', async () => {
    const response = await fetch(`${server.url}/api/nope`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.code).toBe('NOT_FOUND');
    expect(JSON.stringify(body)).not.toContain('at ');
  });

  it('refuses a non-loopback address without a session API key unless insecure', async () => {
    const config = loadConfig({ env: { DEFT_HOME: home }, overrides: { host: '0.0.0.0', port: 0 } });
    await expect(startServer(config)).rejects.toThrow(DeftError);
    await expect(startServer(config)).rejects.toThrow(/SESSION_API_KEY/);
  });
});

describe('/metrics (Prometheus)', () => {
  it('exposes request latency, events appended, running conversations and process metrics', async () => {
    const home = mkdtempSync(join(tmpdir(), 'deft-metrics-'));
    const server = await startServer(loadConfig({ env: { DEFT_HOME: home }, overrides: { port: 0 } }), {
      logger: createLogger({ level: 'silent' }),
    });
    try {
      const { conversation_id: id } = await server.conversations.create({});
      await server.events.append(id, { action: 'null', args: {}, message: '' } as never);
      await fetch(`${server.url}/health`);
      const text = await (await fetch(`${server.url}/metrics`)).text();
      expect(text).toMatch(
        /deft_http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} [1-9]/,
      );
      expect(text).toMatch(/^deft_events_appended_total 1$/m);
      expect(text).toMatch(/^deft_conversations_running 0$/m);
      expect(text).toContain('deft_process_resident_memory_bytes');
      expect(text).toContain('deft_llm_calls_total');
    } finally {
      await server.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
