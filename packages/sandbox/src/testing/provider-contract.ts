import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAction, type ObservationEvent } from '@deft/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxProvider } from '../provider.js';
import { RuntimeClient } from '../runtime-client/index.js';

export interface ProviderFactory {
  make(dataDir: string): Promise<SandboxProvider> | SandboxProvider;
}

export function clientFor(info: {
  endpoint: import('../provider.js').RuntimeEndpoint | null;
  sessionApiKey: string;
}): RuntimeClient {
  if (!info.endpoint) throw new Error('sandbox has no endpoint');
  return new RuntimeClient({ endpoint: info.endpoint, sessionApiKey: info.sessionApiKey });
}

export async function run(
  client: RuntimeClient,
  command: string,
  timeout?: number,
): Promise<ObservationEvent> {
  return client.executeAction(
    createAction(
      'run',
      { command, blocking: timeout !== undefined },
      timeout ? { message: '', timeout } : {},
    ),
  );
}

/** The SandboxProvider contract (issue 3), written once and run against every provider. */
export function describeProviderContract(name: string, factory: ProviderFactory): void {
  describe(`SandboxProvider contract: ${name}`, () => {
    let dataDir: string;
    let provider: SandboxProvider;

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), `deft-contract-${name}-`));
      provider = await factory.make(dataDir);
    });
    afterAll(async () => {
      await provider?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('creates a RUNNING sandbox whose runtime answers /alive and runs `echo hi`', async () => {
      const info = await provider.create({ labels: { purpose: 'contract' } });
      expect(info.status).toBe('RUNNING');
      expect(info.kind).toBe(name);
      expect(info.sessionApiKey.length).toBeGreaterThanOrEqual(32);
      expect(info.exposedUrls.map((url) => url.name)).toContain('AGENT_SERVER');
      expect(info.labels.purpose).toBe('contract');
      const client = clientFor(info);
      expect(await client.alive()).toBe(true);
      const observation = await run(client, 'echo hi');
      expect(observation).toMatchObject({ observation: 'run', content: 'hi', success: true });
      client.close();
      await provider.destroy(info.id);
    });

    it('binds the workspace: a file written in /workspace appears in the host directory', async () => {
      const workspaceDir = join(dataDir, 'ws-bind');
      const info = await provider.create({ workspaceDir });
      const client = clientFor(info);
      await run(client, 'echo from-inside > /workspace/out.txt');
      expect(readFileSync(join(workspaceDir, 'out.txt'), 'utf8')).toBe('from-inside\n');
      client.close();
      await provider.destroy(info.id);
      expect(existsSync(join(workspaceDir, 'out.txt'))).toBe(true);
    });

    it('get and list report the sandbox; an unknown id is MISSING; destroy makes it MISSING', async () => {
      const info = await provider.create({});
      expect((await provider.get(info.id)).status).toBe('RUNNING');
      expect((await provider.list()).map((sandbox) => sandbox.id)).toContain(info.id);
      expect((await provider.get('no-such-sandbox')).status).toBe('MISSING');
      await provider.destroy(info.id);
      expect((await provider.get(info.id)).status).toBe('MISSING');
      expect((await provider.list()).map((sandbox) => sandbox.id)).not.toContain(info.id);
      expect(await clientFor(info).alive(1_000)).toBe(false);
    });

    it('pauses (actions do not run) and resumes (they do)', async () => {
      const info = await provider.create({});
      const client = clientFor(info);
      expect((await provider.pause(info.id)).status).toBe('PAUSED');
      expect((await provider.get(info.id)).status).toBe('PAUSED');
      const started = Date.now();
      const stalled = await Promise.race([
        run(client, 'echo paused-run').then(() => 'ran'),
        new Promise((resolve) => setTimeout(() => resolve('stalled'), 700)),
      ]);
      expect(stalled).toBe('stalled');
      expect((await provider.resume(info.id)).status).toBe('RUNNING');
      expect((await run(client, 'echo resumed')).content).toContain('resumed');
      expect(Date.now() - started).toBeLessThan(20_000);
      client.close();
      await provider.destroy(info.id);
    });

    it('keeps two sandboxes apart: neither sees the other workspace or processes', async () => {
      const a = await provider.create({});
      const b = await provider.create({});
      const clientA = clientFor(a);
      const clientB = clientFor(b);
      await run(clientA, 'echo only-a > /workspace/a.txt; sleep 300 &');
      expect((await run(clientB, 'ls /workspace')).content).not.toContain('a.txt');
      expect((await run(clientB, 'ps -eo args')).content).not.toContain('sleep 300');
      clientA.close();
      clientB.close();
      await provider.destroy(a.id);
      await provider.destroy(b.id);
    });

    it('rejects a start that does not become ready in time with SANDBOX_START_TIMEOUT', async () => {
      await expect(provider.create({ startupTimeoutMs: 1 })).rejects.toMatchObject({
        code: 'SANDBOX_START_TIMEOUT',
      });
      expect((await provider.list()).filter((sandbox) => sandbox.status === 'STARTING')).toEqual([]);
    });
  });
}
