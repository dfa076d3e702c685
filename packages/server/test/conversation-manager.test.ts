import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ScriptedLlm, startScriptedLlm } from '@deft/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { type RunningServer, startServer } from '../src/lifecycle/serve.js';
import { createLogger } from '../src/logging/logger.js';
import {
  agentStates,
  apiClient,
  openSocket,
  type Received,
  SANDBOX_SKIP_REASON,
  until,
} from '../src/testing/server-harness.js';

if (SANDBOX_SKIP_REASON && process.env.CI === 'true') {
  it('conversation manager: a real sandbox is required when CI=true', () => {
    throw new Error(SANDBOX_SKIP_REASON);
  });
}

function boot(home: string, overrides: Record<string, unknown> = {}): Promise<RunningServer> {
  return startServer(
    loadConfig({
      env: { DEFT_HOME: home },
      overrides: {
        port: 0,
        conversations: { max_running: 2, sweep_interval_ms: 0, close_delay_s: 60 },
        server: { rate_limit_per_second: 0 },
        ...overrides,
      },
    }),
    { logger: createLogger({ level: process.env.DEFT_TEST_LOG ?? 'silent' }) },
  );
}

describe.skipIf(Boolean(SANDBOX_SKIP_REASON))('conversation manager (reference §5.1)', () => {
  let home: string;
  let server: RunningServer;
  let llm: ScriptedLlm;
  const api = apiClient(() => server.url);
  const sockets: ReturnType<typeof openSocket>[] = [];

  const create = async (body: Record<string, unknown> = {}) => {
    const response = await api.post('/api/conversations', body);
    return { ...response, id: response.body.conversation_id as string };
  };
  const running = (id: string) =>
    until(async () => {
      const info = (await api.get(`/api/conversations/${id}`)).body;
      return info?.status === 'RUNNING' && info.runtime_status === 'STATUS$READY';
    });
  const stateReached = (id: string, state: string, after = 0) =>
    until(async () => agentStates((await api.events(id)).filter((e) => e.id >= after)).includes(state));

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'deft-manager-'));
    llm = await startScriptedLlm();
    server = await boot(home);
    expect((await api.saveSettings(llm.baseUrl)).status).toBe(200);
  });
  afterEach(async () => {
    for (const { socket } of sockets.splice(0)) socket.close();
    for (const id of [...(await server.conversations.idsByLoopState('running'))])
      await server.manager.stop(id);
  });
  afterAll(async () => {
    await server?.close();
    await llm?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('at the limit the least recently active idle conversation is paused visibly; a message brings it back (§2.3 TOO_MANY_CONVERSATIONS)', async () => {
    const a = await create();
    await running(a.id);
    const watcher = openSocket(server.url, { conversation_id: a.id, latest_event_id: '-1' });
    sockets.push(watcher);
    await watcher.connected;
    const b = await create();
    await running(b.id);

    const c = await create();
    expect(c.status).toBe(200);
    await running(c.id);
    await until(() => watcher.received.some((m) => m.id === 'AGENT_ERROR$TOO_MANY_CONVERSATIONS'));
    expect(watcher.received.find((m) => m.id === 'AGENT_ERROR$TOO_MANY_CONVERSATIONS')).toEqual({
      status_update: true,
      type: 'error',
      id: 'AGENT_ERROR$TOO_MANY_CONVERSATIONS',
      message:
        'Too many conversations at once. If you are still using this one, try reactivating it by prompting the agent to continue',
    });
    await until(() =>
      watcher.received.some(
        (m) => m.observation === 'agent_state_changed' && m.extras.agent_state === 'stopped',
      ),
    );
    expect((await api.get(`/api/conversations/${a.id}`)).body.status).toBe('STOPPED');
    expect((await server.conversations.get(a.id))?.loop_state).toBe('paused');
    expect(server.manager.runningCount).toBe(2);

    // A message to the paused conversation resumes it on the same history; b is now the oldest idle one.
    const before = (await api.events(a.id)).length;
    llm.enqueue({ text: 'Back again.' });
    expect(
      (await api.post(`/api/conversations/${a.id}/message`, { message: 'are you there?' })).body,
    ).toEqual({
      success: true,
    });
    await running(a.id);
    await until(async () =>
      (await api.events(a.id)).some((e) => e.action === 'message' && e.args.content === 'Back again.'),
    );
    const events = await api.events(a.id);
    expect(events.length).toBeGreaterThan(before);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect((await api.get(`/api/conversations/${b.id}`)).body.status).toBe('STOPPED');
    expect((await server.conversations.get(b.id))?.loop_state).toBe('paused');
  });

  it('refuses a new loop with 429 when every running conversation is busy, and keeps the conversation', async () => {
    llm.enqueue({ text: 'slow', delayMs: 8_000 }, { text: 'slow', delayMs: 8_000 });
    const d = await create({ initial_user_msg: 'work hard' });
    const e = await create({ initial_user_msg: 'work hard too' });
    await running(d.id);
    await running(e.id);
    await until(
      () => server.manager.agentState(d.id) === 'running' && server.manager.agentState(e.id) === 'running',
    );
    const f = await create({ initial_user_msg: 'one more' });
    expect(f.status).toBe(429);
    expect(f.body).toMatchObject({
      status: 'error',
      msg_id: 'AGENT_ERROR$TOO_MANY_CONVERSATIONS',
      conversation_status: 'STOPPED',
    });
    expect((await api.get(`/api/conversations/${f.id}`)).body).toMatchObject({ status: 'STOPPED' });
    expect((await api.post(`/api/conversations/${f.id}/start`)).status).toBe(429);
    await server.manager.stop(d.id);
    await server.manager.stop(e.id);
  });

  it('pauses a conversation idle for close_delay without clients, never one a client follows', async () => {
    const g = await create();
    const h = await create();
    await running(g.id);
    await running(h.id);
    const follower = openSocket(server.url, { conversation_id: h.id, latest_event_id: '-1' });
    sockets.push(follower);
    await follower.connected;
    expect(await server.manager.sweepIdle(Date.now() + 30_000)).toEqual([]);
    const paused = await server.manager.sweepIdle(Date.now() + 61_000);
    expect(paused).toEqual([g.id]);
    expect(server.manager.isRunning(g.id)).toBe(false);
    expect(server.manager.isRunning(h.id)).toBe(true);
    expect((await server.conversations.get(g.id))?.loop_state).toBe('paused');
  });

  it('titles a conversation from its first message with the LLM (§5.1) and tells the room; PATCH renames it', async () => {
    llm.enqueue({ toolCalls: [{ name: 'finish', arguments: { message: 'done' } }] });
    const t = await create({ initial_user_msg: 'Please list the files in the workspace and summarise them' });
    const watcher = openSocket(server.url, { conversation_id: t.id, latest_event_id: '-1' });
    sockets.push(watcher);
    await until(async () => (await api.get(`/api/conversations/${t.id}`)).body.title === 'Scripted title');
    const titleRequest = llm.requests.find(
      (r) =>
        r.headers['x-deft-purpose'] === 'title' &&
        r.body.messages?.at(-1)?.content === 'Please list the files in the workspace and summarise them',
    );
    expect(titleRequest?.body.messages?.[0]?.role).toBe('system');
    await watcher.connected;
    expect(
      (await api.call(`/api/conversations/${t.id}`, { method: 'PATCH', body: { title: '  Renamed  ' } }))
        .body,
    ).toBe(true);
    await until(() => watcher.received.some((m) => m.conversation_title === 'Renamed'));
    expect(watcher.received.find((m) => m.conversation_title === 'Renamed')).toEqual({
      status_update: true,
      type: 'info',
      message: t.id,
      conversation_title: 'Renamed',
    });
    // cost and tokens of the run are copied into the metadata (§5.1)
    await stateReached(t.id, 'finished');
    await until(async () => ((await server.conversations.get(t.id))?.total_tokens ?? 0) > 0);
    expect((await server.conversations.get(t.id))?.prompt_tokens).toBeGreaterThan(0);
  });

  it('falls back to the first 30 characters of the message when the model cannot title it', async () => {
    const failing = await startScriptedLlm({ auxiliary: () => ({ kind: 'error', status: 500 }) });
    try {
      await api.saveSettings(failing.baseUrl);
      failing.enqueue({ toolCalls: [{ name: 'finish', arguments: { message: 'ok' } }] });
      const t = await create({ initial_user_msg: 'Refactor the payment module to use the new gateway' });
      await until(
        async () =>
          (await api.get(`/api/conversations/${t.id}`)).body.title !== `Conversation ${t.id.slice(0, 5)}`,
      );
      expect((await api.get(`/api/conversations/${t.id}`)).body.title).toBe(
        'Refactor the payment module to...',
      );
    } finally {
      await api.saveSettings(llm.baseUrl);
      await failing.close();
    }
  });

  it('uses a local folder as the workspace, and clones a git URL into a fresh one', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'deft-ws-'));
    writeFileSync(join(folder, 'notes.txt'), 'from the host folder\n');
    llm.enqueue(
      { toolCalls: [{ name: 'execute_bash', arguments: { command: 'cat notes.txt' } }] },
      { toolCalls: [{ name: 'finish', arguments: { message: 'read it' } }] },
    );
    const local = await create({ initial_user_msg: 'read notes', workspace_path: folder });
    expect(local.status).toBe(200);
    await stateReached(local.id, 'finished');
    const run = (await api.events(local.id)).find((e) => e.observation === 'run');
    expect(run?.content).toContain('from the host folder');
    // deleting the conversation never removes a folder the user gave
    expect((await api.call(`/api/conversations/${local.id}`, { method: 'DELETE' })).body).toBe(true);
    expect(spawnSync('cat', [join(folder, 'notes.txt')]).stdout.toString()).toBe('from the host folder\n');

    const repo = mkdtempSync(join(tmpdir(), 'deft-repo-'));
    mkdirSync(join(repo, 'src'));
    writeFileSync(join(repo, 'src', 'main.txt'), 'cloned content\n');
    const git = (...args: string[]) =>
      spawnSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], {
        encoding: 'utf8',
      });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-qm', 'init');
    llm.enqueue(
      {
        toolCalls: [
          { name: 'execute_bash', arguments: { command: 'cat src/main.txt && git log --oneline | wc -l' } },
        ],
      },
      { toolCalls: [{ name: 'finish', arguments: { message: 'ok' } }] },
    );
    const cloned = await create({ initial_user_msg: 'read the repo', git_url: `file://${repo}` });
    expect(cloned.status).toBe(200);
    await stateReached(cloned.id, 'finished');
    const output = (await api.events(cloned.id)).find((e) => e.observation === 'run')?.content as string;
    expect(output).toContain('cloned content');

    const refused = await Promise.all([
      create({ workspace_path: 'relative/dir' }),
      create({ workspace_path: join(folder, 'missing') }),
      create({ git_url: 'ext::sh -c touch% /tmp/pwned' }),
      create({ git_url: `file://${repo}`, workspace_path: folder }),
    ]);
    expect(refused.map((r) => r.status)).toEqual([400, 400, 400, 400]);
    expect(refused[2]!.body.message).toContain('git_url is not a git URL');
    rmSync(folder, { recursive: true, force: true });
    rmSync(repo, { recursive: true, force: true });
  });
});

describe.skipIf(Boolean(SANDBOX_SKIP_REASON))('recovery after a restart (reference §5)', () => {
  it('brings back a conversation that was running and carries on with its task', async () => {
    const home = mkdtempSync(join(tmpdir(), 'deft-recover-'));
    const llm = await startScriptedLlm();
    let server = await boot(home);
    const api = apiClient(() => server.url);
    try {
      await api.saveSettings(llm.baseUrl);
      llm.enqueue(
        { toolCalls: [{ name: 'execute_bash', arguments: { command: 'echo before-restart' } }] },
        { text: 'never answered', delayMs: 30_000 },
      );
      const id = (await api.post('/api/conversations', { initial_user_msg: 'two steps please' })).body
        .conversation_id as string;
      await until(() => llm.requests.filter((r) => !r.headers['x-deft-purpose']).length >= 2);
      const beforeRestart = await api.events(id);
      expect(beforeRestart.some((e) => e.observation === 'run')).toBe(true);
      await server.close();

      llm.enqueue({ toolCalls: [{ name: 'finish', arguments: { message: 'finished after the restart' } }] });
      server = await boot(home);
      await until(async () => agentStates(await api.events(id)).includes('finished'));
      const events = await api.events(id);
      expect(events.slice(0, beforeRestart.length)).toEqual(beforeRestart);
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
      expect(events.find((e) => e.action === 'finish')?.args.final_thought).toBe(
        'finished after the restart',
      );
      expect((await api.get(`/api/conversations/${id}`)).body.status).toBe('RUNNING');
    } finally {
      await server.close();
      await llm.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});

export type { Received };
