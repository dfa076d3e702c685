import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAction } from '@deft/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { defaultWorkspaceDir } from '../conversations/workspace-source.js';
import { type RunningServer, startServer } from '../lifecycle/serve.js';
import { createLogger } from '../logging/logger.js';

describe('V0 REST routes over the stores (reference §1.3)', () => {
  let home: string;
  let server: RunningServer;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', 'x-session-api-key': 'k3y', ...(init.headers ?? {}) },
    });

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'deft-routes-'));
    server = await startServer(
      loadConfig({ env: { DEFT_HOME: home, SESSION_API_KEY: 'k3y' }, overrides: { port: 0 } }),
      {
        logger: createLogger({ level: 'silent' }),
      },
    );
  });
  afterAll(async () => {
    await server?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('§1.1 requires X-Session-API-Key on /api routes (401 {"detail":"Unauthorized"}), not on health', async () => {
    const denied = await fetch(`${server.url}/api/options/config`);
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({ detail: 'Unauthorized' });
    expect(
      (await fetch(`${server.url}/api/options/config`, { headers: { 'x-session-api-key': 'nope' } })).status,
    ).toBe(401);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('§1.3 options answer as OSS mode does', async () => {
    expect(await (await api('/api/options/config')).json()).toMatchObject({
      APP_MODE: 'oss',
      FEATURE_FLAGS: { ENABLE_BILLING: false, HIDE_LLM_SETTINGS: false },
    });
    expect(await (await api('/api/options/agents')).json()).toEqual(['CodeActAgent']);
    const models = (await (await api('/api/options/models')).json()) as string[];
    expect(models).toContain('openai/gpt-4o');
    expect(models).toEqual([...models].sort());
  });

  it('§1.3 settings: 404 until saved, stored with the API key encrypted at rest, never returned, null keeps it', async () => {
    const missing = await api('/api/settings');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'Settings not found' });
    const saved = await api('/api/settings', {
      method: 'POST',
      body: JSON.stringify({
        llm_model: 'openai/gpt-4o',
        llm_api_key: 'sk-very-secret',
        provider_tokens_set: {},
      }),
    });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ message: 'Settings stored' });
    const read = (await (await api('/api/settings')).json()) as Record<string, unknown>;
    expect(read).toMatchObject({
      llm_model: 'openai/gpt-4o',
      llm_api_key: null,
      llm_api_key_set: true,
      search_api_key_set: false,
      provider_tokens_set: {},
      agent: 'CodeActAgent',
      language: 'en',
    });
    await api('/api/settings', {
      method: 'POST',
      body: JSON.stringify({ llm_api_key: null, confirmation_mode: true }),
    });
    const stored = await server.database.db.selectFrom('settings').select('body').executeTakeFirstOrThrow();
    expect(stored.body).not.toContain('sk-very-secret');
    expect(readFileSync(join(home, 'deft.db')).includes(Buffer.from('sk-very-secret'))).toBe(false);
    const again = (await (await api('/api/settings')).json()) as Record<string, unknown>;
    expect(again).toMatchObject({ llm_api_key_set: true, confirmation_mode: true });
    const invalid = await api('/api/settings', {
      method: 'POST',
      body: JSON.stringify({ condenser_max_size: 5 }),
    });
    expect(invalid.status).toBe(422);
    expect((await api('/api/reset-settings', { method: 'POST', body: '{}' })).status).toBe(410);
  });

  it('§1.3 secrets: 201 on create, names only on list, 400 on a duplicate, rename keeps the value, 404 when missing', async () => {
    const created = await api('/api/secrets', {
      method: 'POST',
      body: JSON.stringify({ name: 'GITHUB_TOKEN', value: 'ghp_topsecret', description: 'for pushes' }),
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ message: 'Secret created successfully' });
    const duplicate = await api('/api/secrets', {
      method: 'POST',
      body: JSON.stringify({ name: 'GITHUB_TOKEN', value: 'x' }),
    });
    expect(duplicate.status).toBe(400);
    expect(await duplicate.json()).toEqual({ message: 'Secret GITHUB_TOKEN already exists' });
    const listed = await (await api('/api/secrets')).json();
    expect(listed).toEqual({ custom_secrets: [{ name: 'GITHUB_TOKEN', description: 'for pushes' }] });
    expect(JSON.stringify(listed)).not.toContain('ghp_topsecret');
    expect(
      (await api('/api/secrets/GITHUB_TOKEN', { method: 'PUT', body: JSON.stringify({ name: 'GH_TOKEN' }) }))
        .status,
    ).toBe(200);
    const missing = await api('/api/secrets/NOPE', { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'Secret with ID NOPE not found' });
    expect(await (await api('/api/secrets/GH_TOKEN', { method: 'DELETE' })).json()).toEqual({
      message: 'Secret deleted successfully',
    });
  });

  it('§1.3 conversations: list newest first with page ids, get (null when missing), patch title, delete, events search', async () => {
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) {
      const created = await server.conversations.create({
        created_at: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
      });
      ids.push(created.conversation_id);
    }
    const first = (await (await api('/api/conversations?limit=2')).json()) as {
      results: { conversation_id: string; conversation_version: string; status: string }[];
      next_page_id: string | null;
    };
    expect(first.results.map((c) => c.conversation_id)).toEqual([ids[2], ids[1]]);
    expect(first.results[0]).toMatchObject({
      conversation_version: 'V0',
      status: 'STOPPED',
      runtime_status: null,
      title: `Conversation ${ids[2]!.slice(0, 5)}`,
    });
    const second = (await (
      await api(`/api/conversations?limit=2&page_id=${first.next_page_id}`)
    ).json()) as typeof first;
    expect(second.results.map((c) => c.conversation_id)).toEqual([ids[0]]);
    expect(second.next_page_id).toBeNull();

    const missing = await api('/api/conversations/ffffffffffffffffffffffffffffffff');
    expect(missing.status).toBe(200);
    expect(await missing.text()).toBe('null');
    expect((await api('/api/conversations/..%2Fetc')).status).toBe(400);

    const patched = await api(`/api/conversations/${ids[0]}`, {
      method: 'PATCH',
      body: JSON.stringify({ title: '  Renamed  ' }),
    });
    expect(await patched.json()).toBe(true);
    expect(await (await api(`/api/conversations/${ids[0]}`)).json()).toMatchObject({ title: 'Renamed' });
    const notFound = await api('/api/conversations/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', {
      method: 'PATCH',
      body: JSON.stringify({ title: 'x' }),
    });
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({
      status: 'error',
      message: 'Conversation not found',
      msg_id: 'CONVERSATION$NOT_FOUND',
    });
    expect(
      (
        await api(`/api/conversations/${ids[0]}`, {
          method: 'PATCH',
          body: JSON.stringify({ title: 'x', extra: 1 }),
        })
      ).status,
    ).toBe(422);

    for (let n = 0; n < 25; n++)
      await server.events.append(ids[1]!, createAction('message', { content: `m${n}` }, { source: 'user' }));
    const page = (await (await api(`/api/conversations/${ids[1]}/events?start_id=5&limit=10`)).json()) as {
      events: { id: number }[];
      has_more: boolean;
    };
    expect(page.events.map((e) => e.id)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(page.has_more).toBe(true);
    const reverse = (await (
      await api(`/api/conversations/${ids[1]}/events?reverse=true&limit=2`)
    ).json()) as typeof page;
    expect(reverse.events.map((e) => e.id)).toEqual([24, 23]);
    const badLimit = await api(`/api/conversations/${ids[1]}/events?limit=101`);
    expect(badLimit.status).toBe(400);
    expect(await badLimit.json()).toEqual({ detail: 'Invalid limit' });

    expect(await (await api(`/api/conversations/${ids[1]}`, { method: 'DELETE' })).json()).toBe(true);
    expect(await (await api(`/api/conversations/${ids[1]}`, { method: 'DELETE' })).json()).toBe(false);
    expect(await server.events.latestId(ids[1]!)).toBe(-1);
  });

  it('§1.3 delete removes the workspace Deft made, never a folder the user supplied', async () => {
    const made = await server.conversations.create();
    const madeDir = defaultWorkspaceDir(home, made.conversation_id);
    mkdirSync(madeDir, { recursive: true });
    writeFileSync(join(madeDir, 'work.txt'), 'agent output');
    const ownDir = mkdtempSync(join(tmpdir(), 'deft-routes-own-'));
    writeFileSync(join(ownDir, 'mine.txt'), 'user files');
    const own = await server.conversations.create({ workspace_dir: ownDir });
    for (const id of [made.conversation_id, own.conversation_id])
      expect(await (await api(`/api/conversations/${id}`, { method: 'DELETE' })).json()).toBe(true);
    expect(existsSync(madeDir)).toBe(false);
    expect(readFileSync(join(ownDir, 'mine.txt'), 'utf8')).toBe('user files');
    rmSync(ownDir, { recursive: true, force: true });
  });
});
