import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { type ScriptedLlm, startScriptedLlm } from '@deft/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { type RunningServer, startServer } from '../src/lifecycle/serve.js';
import { createLogger } from '../src/logging/logger.js';
import {
  agentStates,
  apiClient,
  type Received,
  SANDBOX_SKIP_REASON,
  until,
} from '../src/testing/server-harness.js';

if (SANDBOX_SKIP_REASON && process.env.CI === 'true') {
  it('logging: a real sandbox is required when CI=true', () => {
    throw new Error(SANDBOX_SKIP_REASON);
  });
}

const SESSION_KEY = 'session-key-9f8e7d6c5b4a';
const LLM_KEY = 'sk-llm-key-0a1b2c3d4e5f';
const CUSTOM_SECRET = 'custom-secret-value-77aa';

describe.skipIf(Boolean(SANDBOX_SKIP_REASON))(
  'logs (issue 5 §7: ids on every line, no secret anywhere)',
  () => {
    let home: string;
    let server: RunningServer;
    let llm: ScriptedLlm;
    const lines: Received[] = [];
    let raw = '';
    const api = apiClient(() => server.url, { 'X-Session-API-Key': SESSION_KEY });

    beforeAll(async () => {
      home = mkdtempSync(join(tmpdir(), 'deft-logging-'));
      llm = await startScriptedLlm();
      const destination = new PassThrough();
      destination.on('data', (chunk: Buffer) => {
        raw += chunk.toString();
        for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      });
      server = await startServer(
        loadConfig({
          env: { DEFT_HOME: home },
          overrides: {
            port: 0,
            session_api_key: SESSION_KEY,
            server: { rate_limit_per_second: 0 },
            conversations: { sweep_interval_ms: 0 },
          },
        }),
        { logger: createLogger({ level: 'trace', destination }) },
      );
    });
    afterAll(async () => {
      await server?.close();
      await llm?.close();
      rmSync(home, { recursive: true, force: true });
    });

    it('a whole conversation at trace level: conversation and sandbox ids logged, secrets never', async () => {
      expect((await api.saveSettings(llm.baseUrl, { llm_api_key: LLM_KEY })).status).toBe(200);
      expect((await api.post('/api/secrets', { name: 'MY_TOKEN', value: CUSTOM_SECRET })).status).toBe(201);
      llm.enqueue(
        { toolCalls: [{ name: 'execute_bash', arguments: { command: 'echo "token=$MY_TOKEN"' } }] },
        { toolCalls: [{ name: 'finish', arguments: { message: 'done' } }] },
      );
      const created = await api.post('/api/conversations', { initial_user_msg: 'print the token' });
      expect(created.status).toBe(200);
      const id = created.body.conversation_id as string;
      await until(async () => agentStates(await api.events(id)).includes('finished'), 30_000);
      // The command really saw the secret, and the event shows it masked.
      const run = (await api.events(id)).find((event) => event.observation === 'run');
      expect(run?.content).toContain('token=<secret_hidden>');
      // A request carrying the key in the query, as WebSocket clients may.
      await fetch(`${server.url}/api/conversations/${id}/events?session_api_key=${SESSION_KEY}`, {
        headers: { 'X-Session-API-Key': SESSION_KEY },
      });
      await server.close();

      for (const secret of [SESSION_KEY, LLM_KEY, CUSTOM_SECRET]) expect(raw).not.toContain(secret);
      const aboutConversation = lines.filter((line) => line.conversation_id === id);
      expect(aboutConversation.length).toBeGreaterThan(0);
      expect(aboutConversation.some((line) => typeof line.sandbox_id === 'string')).toBe(true);
      expect(lines.some((line) => String(line.req?.url).includes('session_api_key=<secret_hidden>'))).toBe(
        true,
      );
    });
  },
);
