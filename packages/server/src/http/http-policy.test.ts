import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { type RunningServer, startServer } from '../lifecycle/serve.js';
import { createLogger } from '../logging/logger.js';

describe('HTTP policy (reference §1.1) and the OpenAPI document', () => {
  let home: string;
  let server: RunningServer | undefined;
  const boot = async (server_: Record<string, unknown> = {}) => {
    home = mkdtempSync(join(tmpdir(), 'deft-policy-'));
    server = await startServer(
      loadConfig({ env: { DEFT_HOME: home }, overrides: { port: 0, server: server_ } }),
      { logger: createLogger({ level: 'silent' }) },
    );
    return server;
  };
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(home, { recursive: true, force: true });
  });

  it('allows localhost origins with credentials by default, and only the listed ones when configured', async () => {
    const { url } = await boot({ rate_limit_per_second: 0 });
    const local = await fetch(`${url}/api/options/agents`, { headers: { origin: 'http://localhost:5173' } });
    expect(local.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(local.headers.get('access-control-allow-credentials')).toBe('true');
    const foreign = await fetch(`${url}/api/options/agents`, { headers: { origin: 'https://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${url}/api/settings`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:3001',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-session-api-key',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type,x-session-api-key');
    await server?.close();
    const listed = await boot({ permitted_cors_origins: 'https://deft.example, https://other.example' });
    const allowed = await fetch(`${listed.url}/api/options/agents`, {
      headers: { origin: 'https://deft.example' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://deft.example');
    const localNow = await fetch(`${listed.url}/api/options/agents`, {
      headers: { origin: 'http://localhost:5173' },
    });
    expect(localNow.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('marks /assets immutable and everything else uncacheable', async () => {
    const { url } = await boot();
    const api = await fetch(`${url}/api/options/agents`);
    expect(api.headers.get('cache-control')).toBe('no-cache, no-store, must-revalidate, max-age=0');
    expect(api.headers.get('pragma')).toBe('no-cache');
    expect(api.headers.get('expires')).toBe('0');
    const asset = await fetch(`${url}/assets/missing.js`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=2592000, immutable');
  });

  it('slows an address above the limit by a second and refuses it above twice the limit (429, Retry-After)', async () => {
    const { url } = await boot({ rate_limit_per_second: 3 });
    const started = Date.now();
    const responses = await Promise.all(Array.from({ length: 8 }, () => fetch(`${url}/api/options/agents`)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    const refused = responses.find((r) => r.status === 429)!;
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({ message: 'Too many requests' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('serves the OpenAPI document generated from the zod schemas at /docs/json, and the UI at /docs', async () => {
    const { url } = await boot();
    const doc = (await (await fetch(`${url}/docs/json`)).json()) as Record<string, any>;
    expect(doc.openapi).toBe('3.1.0');
    const create = doc.paths['/api/conversations'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(Object.keys(body.properties)).toEqual(
      expect.arrayContaining(['initial_user_msg', 'repository', 'workspace_path', 'git_url']),
    );
    expect(body.additionalProperties).toBe(false);
    expect(
      doc.paths['/api/conversations/{id}'].patch.requestBody.content['application/json'].schema.properties
        .title,
    ).toMatchObject({ type: 'string', minLength: 1, maxLength: 200 });
    expect(doc.paths['/health']).toBeUndefined();
    const ui = await fetch(`${url}/docs`, { redirect: 'follow' });
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('serves the web UI at / and client routes fall back to it, while unknown API routes stay 404', async () => {
    const { url } = await boot();
    const root = await fetch(`${url}/`);
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toContain('text/html');
    const apiMissing = await fetch(`${url}/api/nothing-here`);
    expect(apiMissing.status).toBe(404);
  });
});
