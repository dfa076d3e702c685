import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_SKIP_REASON, type ScriptedLlm, startScriptedLlm } from '@deft/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { type RunningServer, startServer } from '../src/lifecycle/serve.js';
import { createLogger } from '../src/logging/logger.js';

const SKIP = SANDBOX_SKIP_REASON;
if (SKIP && process.env.CI === 'true') {
  it('conversation lifecycle: a real sandbox is required when CI=true', () => {
    throw new Error(SKIP);
  });
}

describe.skipIf(Boolean(SKIP))(
  `conversation lifecycle over REST with a real sandbox (reference §1.3, §7.3)${SKIP ? ` (skipped: ${SKIP})` : ''}`,
  () => {
    let home: string;
    let server: RunningServer;
    let llm: ScriptedLlm;
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${server.url}${path}`, {
        ...init,
        headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
      });
    const json = async <T = Record<string, any>>(response: Response) => (await response.json()) as T;

    beforeAll(async () => {
      home = mkdtempSync(join(tmpdir(), 'deft-lifecycle-'));
      llm = await startScriptedLlm();
      server = await startServer(loadConfig({ env: { DEFT_HOME: home }, overrides: { port: 0 } }), {
        logger: createLogger({ level: process.env.DEFT_TEST_LOG ?? 'silent' }),
      });
    });
    afterAll(async () => {
      await server?.close();
      await llm?.close();
      rmSync(home, { recursive: true, force: true });
    });

    it('refuses to create a conversation before settings exist (400 CONFIGURATION$SETTINGS_NOT_FOUND)', async () => {
      const response = await api('/api/conversations', {
        method: 'POST',
        body: JSON.stringify({ initial_user_msg: 'hi' }),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        status: 'error',
        message: 'Settings not found',
        msg_id: 'CONFIGURATION$SETTINGS_NOT_FOUND',
      });
    });

    it('creates a conversation with an initial message; the agent runs a command in a real sandbox and finishes; stop', async () => {
      await api('/api/settings', {
        method: 'POST',
        body: JSON.stringify({
          llm_model: 'openai-compatible/scripted',
          llm_api_key: 'sk-lifecycle-secret',
          llm_base_url: llm.baseUrl,
        }),
      });
      llm.enqueue(
        {
          toolCalls: [
            {
              name: 'execute_bash',
              arguments: {
                command: 'echo hello from the sandbox > /workspace/out.txt && cat /workspace/out.txt',
                security_risk: 'LOW',
              },
            },
          ],
        },
        { toolCalls: [{ name: 'finish', arguments: { message: 'Done.' } }] },
      );
      const created = await json(
        await api('/api/conversations', {
          method: 'POST',
          body: JSON.stringify({ initial_user_msg: 'write a file' }),
        }),
      );
      expect(created).toMatchObject({ status: 'ok', message: null, conversation_status: 'STARTING' });
      const id = created.conversation_id as string;
      expect(id).toMatch(/^[0-9a-f]{32}$/);

      // Poll as the frontend does (§7.3) until RUNNING with STATUS$READY.
      let info: Record<string, any> = {};
      for (let attempt = 0; attempt < 200; attempt++) {
        info = await json(await api(`/api/conversations/${id}`));
        if (info.status === 'RUNNING') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(info).toMatchObject({
        status: 'RUNNING',
        runtime_status: 'STATUS$READY',
        url: `/api/conversations/${id}`,
        conversation_version: 'V0',
      });

      let events: Record<string, any>[] = [];
      for (let attempt = 0; attempt < 200; attempt++) {
        events = (
          await json<{ events: Record<string, any>[] }>(
            await api(`/api/conversations/${id}/events?limit=100`),
          )
        ).events;
        if (
          events.some((e) => e.observation === 'agent_state_changed' && e.extras.agent_state === 'finished')
        )
          break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const run = events.find((e) => e.observation === 'run');
      expect(run).toMatchObject({
        content: 'hello from the sandbox',
        success: true,
        extras: { metadata: { exit_code: 0, working_dir: '/workspace' } },
      });
      expect(events.find((e) => e.action === 'finish')).toBeTruthy();
      expect(readFileSync(join(home, 'workspaces', id, 'out.txt'), 'utf8')).toBe('hello from the sandbox\n');
      expect(JSON.stringify(events)).not.toContain('sk-lifecycle-secret');

      // §1.3 per-conversation routes of a running conversation.
      expect(await json(await api(`/api/conversations/${id}/config`))).toEqual({
        runtime_id: id,
        session_id: id,
      });
      expect(await json(await api(`/api/conversations/${id}/vscode-url`))).toEqual({ vscode_url: null });
      expect(await json(await api(`/api/conversations/${id}/web-hosts`))).toEqual({ hosts: {} });
      expect(await json<string[]>(await api(`/api/conversations/${id}/list-files`))).toContain('out.txt');
      expect(await json(await api(`/api/conversations/${id}/select-file?file=out.txt`))).toEqual({
        code: 'hello from the sandbox\n',
      });
      const zip = await api(`/api/conversations/${id}/zip-directory`);
      expect(zip.headers.get('content-type')).toBe('application/zip');
      expect(
        Buffer.from(await zip.arrayBuffer())
          .subarray(0, 2)
          .toString(),
      ).toBe('PK');
      const trajectory = await json<{ trajectory: Record<string, any>[] }>(
        await api(`/api/conversations/${id}/trajectory`),
      );
      expect(trajectory.trajectory.map((e) => e.id)).toEqual(
        events.map((e) => e.id).filter((n) => n <= trajectory.trajectory.at(-1)!.id),
      );
      const microagents = await json<{ microagents: { name: string }[] }>(
        await api(`/api/conversations/${id}/microagents`),
      );
      expect(microagents.microagents.map((m) => m.name)).toContain('git');
      // §10: what the stock frontend probes, answered as an OSS server does.
      expect(await json(await api('/api/v1/app-conversations?ids=a&ids=b'))).toEqual([null, null]);
      const user = await api('/api/user/info');
      expect(user.status).toBe(401);
      expect(await user.json()).toBe('Git provider token required. (such as GitHub).');

      const message = await json(
        await api(`/api/conversations/${id}/message`, {
          method: 'POST',
          body: JSON.stringify({ message: 'thanks' }),
        }),
      );
      expect(message).toEqual({ success: true });

      const stopped = await json(await api(`/api/conversations/${id}/stop`, { method: 'POST', body: '{}' }));
      expect(stopped).toEqual({
        status: 'ok',
        conversation_id: id,
        message: 'Conversation stopped successfully',
        conversation_status: 'RUNNING',
      });
      expect(await json(await api(`/api/conversations/${id}`))).toMatchObject({
        status: 'STOPPED',
        runtime_status: null,
        url: null,
      });
      const again = await json(await api(`/api/conversations/${id}/stop`, { method: 'POST', body: '{}' }));
      expect(again).toEqual({
        status: 'ok',
        conversation_id: id,
        message: 'Conversation was not running',
        conversation_status: 'STOPPED',
      });
      expect(
        await json(
          await api(`/api/conversations/${id}/message`, {
            method: 'POST',
            body: JSON.stringify({ message: 'x' }),
          }),
        ),
      ).toMatchObject({ success: false });
    });
  },
);
