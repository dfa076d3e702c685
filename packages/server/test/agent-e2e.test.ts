import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentController, CodeActAgent, createLlmClient } from '@deft/agent';
import { createAction } from '@deft/protocol';
import { ProcessSandboxProvider } from '@deft/sandbox';
import { SANDBOX_SKIP_REASON, type ScriptedLlm, startScriptedLlm } from '@deft/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventLog } from '../../agent/src/testing/memory-log.js';

const SKIP = SANDBOX_SKIP_REASON;
if (SKIP && process.env.CI === 'true') {
  it('agent end-to-end: a real sandbox is required when CI=true', () => {
    throw new Error(SKIP);
  });
}

const tool = (name: string, args: Record<string, unknown>) => ({ toolCalls: [{ name, arguments: args }] });

describe.skipIf(Boolean(SKIP))(
  `agent end to end in a real process sandbox${SKIP ? ` (skipped: ${SKIP})` : ''}`,
  () => {
    let dataDir: string;
    let provider: ProcessSandboxProvider;
    let llm: ScriptedLlm;

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'deft-agent-e2e-'));
      provider = new ProcessSandboxProvider({ dataDir, warn: () => undefined });
      llm = await startScriptedLlm();
    });
    afterAll(async () => {
      await provider?.close();
      await llm?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('writes a program, sees its test fail, fixes it with str_replace, reruns and finishes — exact event sequence', async () => {
      const sandbox = await provider.create({ id: 'e2e' });
      const client = provider.client(sandbox.id);
      llm.enqueue(
        tool('str_replace_editor', {
          command: 'create',
          path: '/workspace/calc.js',
          file_text: 'exports.add = (a, b) => a - b;\n',
          security_risk: 'LOW',
        }),
        tool('str_replace_editor', {
          command: 'create',
          path: '/workspace/calc.test.js',
          file_text:
            "const assert = require('node:assert');\nconst { add } = require('./calc');\nassert.strictEqual(add(2, 3), 5);\nconsole.log('tests passed');\n",
          security_risk: 'LOW',
        }),
        tool('execute_bash', { command: 'node calc.test.js', security_risk: 'LOW' }),
        tool('str_replace_editor', {
          command: 'str_replace',
          path: '/workspace/calc.js',
          old_str: 'a - b',
          new_str: 'a + b',
          security_risk: 'MEDIUM',
        }),
        tool('execute_bash', { command: 'node calc.test.js', security_risk: 'LOW' }),
        tool('finish', { message: 'Fixed add() and the test passes.' }),
      );
      const log = new MemoryEventLog();
      const controller = new AgentController({
        conversationId: 'e'.repeat(32),
        agent: new CodeActAgent({
          llm: createLlmClient({ model: 'openai-compatible/scripted', baseUrl: llm.baseUrl, apiKey: 'k' }),
        }),
        log,
        runner: { run: (action, options) => client.executeAction(action, options) },
      });
      try {
        await controller.start({
          initialMessage: createAction('message', {
            content: 'Write calc.js with add() and a test, and make it pass.',
          }),
        });
        await log.waitFor(
          (e) => 'observation' in e && (e.extras as { agent_state?: string }).agent_state === 'finished',
          60_000,
        );
      } finally {
        await controller.close();
      }

      expect(log.summary()).toEqual([
        '0 environment obs:agent_state_changed:loading',
        '1 agent system',
        '2 user message',
        '3 environment change_agent_state:running',
        '4 user recall:workspace_context',
        '5 environment obs:agent_state_changed:running',
        '6 environment obs:null <-4',
        '7 agent edit',
        '8 agent obs:edit <-7',
        '9 agent edit',
        '10 agent obs:edit <-9',
        '11 agent run',
        '12 agent obs:run <-11',
        '13 agent edit',
        '14 agent obs:edit <-13',
        '15 agent run',
        '16 agent obs:run <-15',
        '17 agent finish',
        '18 environment obs:agent_state_changed:finished',
      ]);
      const event = (id: number) => log.events[id] as unknown as Record<string, any>;
      expect(event(8).content).toBe('File created successfully at: /workspace/calc.js');
      expect(event(12)).toMatchObject({
        success: false,
        extras: { command: 'node calc.test.js', metadata: { working_dir: '/workspace' } },
      });
      expect(event(12).extras.metadata.exit_code).toBe(1);
      expect(event(12).content).toContain('AssertionError');
      expect(event(14).content).toContain(
        "The file /workspace/calc.js has been edited. Here's the result of running `cat -n` on a snippet of /workspace/calc.js:\n     1\texports.add = (a, b) => a + b;",
      );
      expect(event(14).extras.diff).toContain(
        '-exports.add = (a, b) => a - b;\n+exports.add = (a, b) => a + b;',
      );
      expect(event(16)).toMatchObject({
        content: 'tests passed',
        success: true,
        extras: { metadata: { exit_code: 0 } },
      });
      for (const id of [7, 9, 11, 13, 15, 17])
        expect(event(id).tool_call_metadata?.tool_call_id).toBeTruthy();
      for (const id of [8, 10, 12, 14, 16])
        expect(event(id).tool_call_metadata?.tool_call_id).toBe(
          event(id - 1).tool_call_metadata?.tool_call_id,
        );
      expect(readFileSync(join(sandbox.workspaceDir, 'calc.js'), 'utf8')).toBe(
        'exports.add = (a, b) => a + b;\n',
      );
      // The model saw the failing run: its 4th request ends with the run result including the exit code.
      const fourth = llm.requests[3]!.body.messages!;
      expect(String(fourth.at(-1)!.content)).toContain('[Command finished with exit code 1]');
    });
  },
);
