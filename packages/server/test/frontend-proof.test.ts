import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFT_CLI,
  type DeftServeProcess,
  exited,
  type ScriptedLlm,
  startDeftServe,
  startScriptedLlm,
} from '@deft/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentStates,
  apiClient,
  openSocket,
  type Received,
  SANDBOX_SKIP_REASON,
  until,
} from '../src/testing/server-harness.js';

// The proof of issue 5: a real `deft serve` process driven exactly as the OpenHands frontend does
// (reference §7.3), then killed with SIGKILL mid-run and restarted on the same data dir.
const SKIP = SANDBOX_SKIP_REASON || (existsSync(DEFT_CLI) ? '' : 'the CLI is not built (npm test builds it)');
if (SKIP && process.env.CI === 'true') {
  it('frontend proof: a real sandbox and the built CLI are required when CI=true', () => {
    throw new Error(SKIP);
  });
}

/** Events as the frontend sees them: ids increasing, never repeated. */
function ids(received: Received[]): number[] {
  return received.filter((m) => typeof m.id === 'number').map((m) => m.id as number);
}

describe.skipIf(Boolean(SKIP))(
  'the OpenHands frontend flow against `deft serve` (reference §7.3, §2)',
  () => {
    let home: string;
    let llm: ScriptedLlm;
    let server: DeftServeProcess;
    const api = apiClient(() => server.url);

    beforeAll(async () => {
      home = mkdtempSync(join(tmpdir(), 'deft-proof-'));
      llm = await startScriptedLlm();
    });
    afterAll(async () => {
      server?.child.kill('SIGTERM');
      if (server) await exited(server.child);
      await llm?.close();
      rmSync(home, { recursive: true, force: true });
    });

    it('settings → create → poll → socket → message → command in a real sandbox → reconnect → SIGKILL → restart → resume → stop', async () => {
      server = await startDeftServe(home);
      // §7.3 home page: settings first (POST /api/settings), then a conversation with the initial message.
      expect((await api.saveSettings(llm.baseUrl, { max_iterations: 50 })).body).toEqual({
        message: 'Settings stored',
      });
      llm.enqueue({ text: 'Which command should I run?' });
      const created = await api.post('/api/conversations', {
        initial_user_msg: 'Help me check the sandbox.',
      });
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ status: 'ok', conversation_status: 'STARTING' });
      const id = created.body.conversation_id as string;
      expect(id).toMatch(/^[0-9a-f]{32}$/);

      // §7.3: poll GET /api/conversations/{id} while STARTING, until RUNNING with STATUS$READY.
      await until(async () => {
        const info = (await api.get(`/api/conversations/${id}`)).body;
        return info.status === 'RUNNING' && info.runtime_status === 'STATUS$READY';
      });
      const info = (await api.get(`/api/conversations/${id}`)).body;
      expect(info).toMatchObject({
        conversation_id: id,
        conversation_version: 'V0',
        url: `/api/conversations/${id}`,
        session_api_key: null,
      });

      // §2.1 connect with the frontend's query; replay then live.
      const first = openSocket(server.url, {
        conversation_id: id,
        latest_event_id: '-1',
        providers_set: '',
        session_api_key: 'null',
      });
      await first.connected;
      await until(() =>
        first.received.some(
          (m) =>
            m.observation === 'agent_state_changed' &&
            m.extras.agent_state === 'awaiting_user_input' &&
            m.id > 4,
        ),
      );
      const userMessage = first.received.find((m) => m.action === 'message' && m.source === 'user');
      expect(userMessage).toMatchObject({
        message: 'Help me check the sandbox.',
        args: { content: 'Help me check the sandbox.' },
      });
      expect(first.received.find((m) => m.action === 'message' && m.source === 'agent')?.args.content).toBe(
        'Which command should I run?',
      );

      // §2.2 oh_user_action: the agent runs a command in the real sandbox, the run observation arrives live.
      llm.enqueue(
        {
          toolCalls: [
            {
              name: 'execute_bash',
              arguments: { command: 'echo proof-$((6*7)) && id -u', security_risk: 'LOW' },
            },
          ],
        },
        { text: 'still thinking', delayMs: 60_000 },
      );
      first.socket.emit('oh_user_action', {
        action: 'message',
        args: { content: 'Run echo.', image_urls: [] },
      });
      await until(() => first.received.some((m) => m.observation === 'run'));
      const run = first.received.find((m) => m.observation === 'run')!;
      expect(run).toMatchObject({
        source: 'agent',
        observation: 'run',
        extras: { command: 'echo proof-$((6*7)) && id -u', metadata: { exit_code: 0 } },
      });
      expect(run.content).toContain('proof-42');
      const runAction = first.received.find((m) => m.action === 'run')!;
      expect(runAction).toMatchObject({ source: 'agent', args: { command: 'echo proof-$((6*7)) && id -u' } });
      expect(runAction.llm_metrics.accumulated_token_usage.prompt_tokens).toBeGreaterThan(0);

      // Mid-run (the model is thinking): reconnect with latest_event_id — no gap, no duplicate.
      await until(() => llm.requests.filter((r) => !r.headers['x-deft-purpose']).length >= 3);
      const lastSeen = Math.max(...ids(first.received));
      first.socket.close();
      const second = openSocket(server.url, {
        conversation_id: id,
        latest_event_id: String(lastSeen),
        providers_set: '',
        session_api_key: 'null',
      });
      await second.connected;
      await new Promise((resolve) => setTimeout(resolve, 300));
      const seen = [...ids(first.received), ...ids(second.received)];
      expect(new Set(seen).size).toBe(seen.length);
      expect(ids(second.received).every((n) => n > lastSeen)).toBe(true);
      const stored = await api.events(id);
      // every agent and user event up to the newest one seen arrived on one of the two connections
      const newest = Math.max(...seen);
      const mustSee = stored
        .filter((e) => e.id <= newest && (e.source === 'agent' || e.source === 'user'))
        .filter((e) => !(e.action === 'null' || e.observation === 'null' || e.action === 'recall'))
        .map((e) => e.id);
      expect(mustSee.length).toBeGreaterThan(5);
      expect(seen).toEqual(expect.arrayContaining(mustSee));
      second.socket.close();

      // SIGKILL the server while the agent is mid-run; every acknowledged event survives the restart.
      const sandboxDir = join(home, 'sandboxes');
      const sandboxState = readdirSync(sandboxDir).map(
        (entry) =>
          JSON.parse(readFileSync(join(sandboxDir, entry, 'state.json'), 'utf8')) as { bwrapPid: number },
      );
      server.child.kill('SIGKILL');
      await exited(server.child);
      llm.enqueue({ toolCalls: [{ name: 'finish', arguments: { message: 'Checked: the sandbox works.' } }] });
      server = await startDeftServe(home);
      const afterRestart = await api.events(id);
      expect(afterRestart.slice(0, stored.length)).toEqual(stored);
      // the conversation comes back by itself and the agent carries on from where it was
      await until(async () => agentStates(await api.events(id)).includes('finished'), 30_000);
      const final = await api.events(id);
      expect(final.find((e) => e.action === 'finish')?.args.final_thought).toBe(
        'Checked: the sandbox works.',
      );
      expect(new Set(final.map((e) => e.id)).size).toBe(final.length);
      expect(final.map((e) => e.id)).toEqual(final.map((_, index) => index));
      // the killed server's sandbox did not outlive it
      for (const state of sandboxState)
        expect(
          existsSync(`/proc/${state.bwrapPid}`) &&
            !readFileSync(`/proc/${state.bwrapPid}/stat`, 'utf8').includes(') Z '),
        ).toBe(false);

      // a client joining now replays the whole conversation once, the last state last (§2.1)
      const third = openSocket(server.url, { conversation_id: id, latest_event_id: '-1' });
      await third.connected;
      await until(() => third.received.some((m) => m.action === 'finish'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const replayed = ids(third.received);
      expect(new Set(replayed).size).toBe(replayed.length);
      third.socket.close();

      // stop (§1.3)
      const stopped = await api.post(`/api/conversations/${id}/stop`);
      expect(stopped.body).toEqual({
        status: 'ok',
        conversation_id: id,
        message: 'Conversation stopped successfully',
        conversation_status: 'RUNNING',
      });
      expect((await api.get(`/api/conversations/${id}`)).body).toMatchObject({
        status: 'STOPPED',
        runtime_status: null,
      });
    }, 120_000);

    it('runs 50 conversations concurrently to the end with the scripted LLM', async () => {
      server?.child.kill('SIGTERM');
      if (server) await exited(server.child);
      const concurrentHome = mkdtempSync(join(tmpdir(), 'deft-proof-50-'));
      const perConversation = startScriptedLlm({
        record: false,
        fallback: {
          kind: 'function',
          // two steps each: a command, then finish — decided by what the conversation already holds
          respond: (request) =>
            JSON.stringify(request.body.messages).includes('concurrent-ok')
              ? { toolCalls: [{ name: 'finish', arguments: { message: 'done' } }] }
              : { toolCalls: [{ name: 'execute_bash', arguments: { command: 'echo concurrent-ok' } }] },
        },
      });
      const model = await perConversation;
      try {
        server = await startDeftServe(concurrentHome, {
          env: { DEFT_CONVERSATIONS__MAX_RUNNING: '60', DEFT_SERVER__RATE_LIMIT_PER_SECOND: '0' },
        });
        await api.saveSettings(model.baseUrl);
        const created = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            api.post('/api/conversations', { initial_user_msg: `task ${i}` }),
          ),
        );
        expect(created.map((c) => c.status)).toEqual(Array(50).fill(200));
        const conversationIds = created.map((c) => c.body.conversation_id as string);
        await until(async () => {
          const states = await Promise.all(
            conversationIds.map(async (cid) => agentStates(await api.events(cid))),
          );
          return states.every((s) => s.includes('finished'));
        }, 90_000);
        for (const cid of conversationIds) {
          const events = await api.events(cid);
          expect(events.find((e) => e.observation === 'run')?.content).toContain('concurrent-ok');
          expect(agentStates(events)).not.toContain('error');
        }
      } finally {
        server.child.kill('SIGTERM');
        await exited(server.child);
        await model.close();
        rmSync(concurrentHome, { recursive: true, force: true });
      }
    }, 150_000);
  },
);
