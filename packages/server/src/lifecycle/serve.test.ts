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

  it('answers an unknown route with a coded 404, not a stack trace', async () => {
    const response = await fetch(`${server.url}/nope`);
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
