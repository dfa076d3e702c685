import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_SKIP_REASON, type ScriptedLlm, startScriptedLlm } from '@deft/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { type RunningServer, startServer } from '../src/lifecycle/serve.js';
import { createLogger } from '../src/logging/logger.js';
import { openSocket as open, type Received, until } from '../src/testing/server-harness.js';

const SKIP = SANDBOX_SKIP_REASON;
if (SKIP && process.env.CI === 'true') {
  it('socket.io: a real sandbox is required when CI=true', () => {
    throw new Error(SKIP);
  });
}

describe.skipIf(Boolean(SKIP))(
  `Socket.IO V0 protocol (reference §2)${SKIP ? ` (skipped: ${SKIP})` : ''}`,
  () => {
    let home: string;
    let server: RunningServer;
    let llm: ScriptedLlm;
    const api = (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    beforeAll(async () => {
      home = mkdtempSync(join(tmpdir(), 'deft-socket-'));
      llm = await startScriptedLlm();
      server = await startServer(loadConfig({ env: { DEFT_HOME: home }, overrides: { port: 0 } }), {
        logger: createLogger({ level: 'silent' }),
      });
    });
    afterAll(async () => {
      await server?.close();
      await llm?.close();
      rmSync(home, { recursive: true, force: true });
    });

    it('§2.1 refuses a connection without conversation_id, and before settings exist (msg_id in data)', async () => {
      const missing = open(server.url, {});
      expect((await missing.error).message).toBe('No conversation_id in query params');
      missing.socket.close();
      const noSettings = open(server.url, { conversation_id: 'a'.repeat(32), latest_event_id: '-1' });
      expect(await noSettings.error).toEqual({
        message: 'Settings not found',
        data: { msg_id: 'CONFIGURATION$SETTINGS_NOT_FOUND' },
      });
      noSettings.socket.close();
    });

    it('§2.1–2.3 replays history (recall/null skipped, last state last), forwards live events, takes oh_user_action; reconnects without gap or duplicate', async () => {
      await api('/api/settings', {
        llm_model: 'openai-compatible/scripted',
        llm_api_key: 'k',
        llm_base_url: llm.baseUrl,
      });
      llm.enqueue(
        {
          toolCalls: [
            { name: 'execute_bash', arguments: { command: 'echo replayed', security_risk: 'LOW' } },
          ],
        },
        { text: 'What next?' },
      );
      const created = (await (await api('/api/conversations', { initial_user_msg: 'start' })).json()) as {
        conversation_id: string;
      };
      const id = created.conversation_id;
      await server.manager.ready(id);
      // Wait until the agent asked its question (the run happened before).
      for (;;) {
        const page = (await (
          await fetch(`${server.url}/api/conversations/${id}/events?limit=100`)
        ).json()) as { events: Received[] };
        if (
          page.events.some(
            (e) =>
              e.observation === 'agent_state_changed' &&
              e.extras.agent_state === 'awaiting_user_input' &&
              e.id > 5,
          )
        )
          break;
        await new Promise((resolve) => setTimeout(resolve, 30));
      }

      const first = open(server.url, {
        conversation_id: id,
        latest_event_id: '-1',
        providers_set: '',
        session_api_key: 'null',
      });
      await first.connected;
      await until(() => first.received.some((e) => e.action === 'message' && e.source === 'agent'));
      await until(() => first.received.at(-1)?.observation === 'agent_state_changed');
      const replay = [...first.received];
      expect(
        replay.some((e) => e.action === 'recall' || e.observation === 'null' || e.action === 'null'),
      ).toBe(false);
      expect(replay.filter((e) => e.observation === 'agent_state_changed')).toHaveLength(1);
      expect(replay.at(-1)).toMatchObject({
        observation: 'agent_state_changed',
        extras: { agent_state: 'awaiting_user_input' },
      });
      expect(replay.find((e) => e.observation === 'run')).toMatchObject({ content: 'replayed' });
      const replayedIds = replay.slice(0, -1).map((e) => e.id as number);
      expect(replayedIds).toEqual([...replayedIds].sort((a, b) => a - b));

      llm.enqueue({ toolCalls: [{ name: 'finish', arguments: { message: 'Bye.' } }] });
      first.socket.emit('oh_user_action', {
        action: 'message',
        args: {
          content: 'please finish',
          image_urls: [],
          file_urls: [],
          timestamp: new Date().toISOString(),
        },
      });
      await until(() =>
        first.received.some(
          (e) => e.observation === 'agent_state_changed' && e.extras.agent_state === 'finished',
        ),
      );
      const live = first.received.slice(replay.length);
      expect(live[0]).toMatchObject({
        action: 'message',
        source: 'user',
        args: { content: 'please finish' },
      });
      // Live environment events are rewritten to source "agent"; recall actions are not sent.
      expect(
        live.filter((e) => e.observation === 'agent_state_changed').every((e) => e.source === 'agent'),
      ).toBe(true);
      expect(live.some((e) => e.action === 'change_agent_state')).toBe(false);
      const lastSeen = Math.max(...first.received.filter((e) => typeof e.id === 'number').map((e) => e.id));
      first.socket.close();

      // A second client resuming from the first client's cursor gets only what came after: nothing new here.
      const second = open(server.url, { conversation_id: id, latest_event_id: String(lastSeen) });
      await second.connected;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(second.received.filter((e) => typeof e.id === 'number' && e.id <= lastSeen)).toEqual([]);
      second.socket.close();

      // Resuming from an earlier cursor replays exactly the events after it.
      const third = open(server.url, { conversation_id: id, latest_event_id: String(lastSeen - 3) });
      await third.connected;
      await until(() => third.received.length > 0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const ids = third.received.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(Math.min(...ids)).toBeGreaterThan(lastSeen - 3);
      third.socket.close();
    });
  },
);
