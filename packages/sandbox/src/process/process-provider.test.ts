import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRuntimeBundleDir } from '../bundle-location.js';
import { describeEscapeSuite } from '../testing/escape-suite.js';
import { clientFor, describeProviderContract, run } from '../testing/provider-contract.js';
import { ProcessSandboxProvider } from './process-provider.js';

const bundleReady = existsSync(join(defaultRuntimeBundleDir(), 'runtime.mjs'));
const bwrapReady = spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-pid', 'true']).status === 0;
const SKIP = !bundleReady
  ? 'runtime bundle not built (npm test builds it)'
  : !bwrapReady
    ? 'bubblewrap is not usable here (npm test installs it as root)'
    : '';
const REQUIRED = process.env.CI === 'true';

if (SKIP && REQUIRED) {
  it('process sandbox: bubblewrap and the runtime bundle are required when CI=true', () => {
    throw new Error(SKIP);
  });
}

const factory = { make: (dataDir: string) => new ProcessSandboxProvider({ dataDir, warn: () => undefined }) };

describe.skipIf(Boolean(SKIP))(`process sandbox${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  describeProviderContract('process', factory);
  describeEscapeSuite('process', factory);

  it('leaves no process behind after destroy, and reaps a crashed server’s sandboxes at start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'deft-reap-'));
    try {
      // A provider in a child process starts a sandbox, then the child is SIGKILLed (a crashed server).
      const script = `
        import { ProcessSandboxProvider } from ${JSON.stringify(new URL('./process-provider.ts', import.meta.url).pathname)};
        const provider = new ProcessSandboxProvider({ dataDir: ${JSON.stringify(dataDir)}, warn: () => {} });
        const info = await provider.create({ id: 'orphan' });
        process.stdout.write(JSON.stringify(info) + '\\n');
        setInterval(() => {}, 1000);
      `;
      const scriptFile = join(dataDir, 'crashing-server.mts');
      writeFileSync(scriptFile, script);
      const child = spawnSync(
        'bash',
        [
          '-c',
          `node --import tsx ${scriptFile} & pid=$!; for i in $(seq 1 300); do [ -S ${dataDir}/sandboxes/orphan/socket/runtime.sock ] && break; sleep 0.05; done; sleep 0.3; kill -9 $pid; wait $pid 2>/dev/null; true`,
        ],
        {
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      expect(child.status).toBe(0);
      expect(existsSync(join(dataDir, 'sandboxes', 'orphan', 'state.json'))).toBe(true);
      const provider = new ProcessSandboxProvider({ dataDir, warn: () => undefined });
      expect(readdirSync(join(dataDir, 'sandboxes'))).toEqual([]);
      const leftovers = spawnSync('pgrep', ['-f', join(dataDir, 'workspaces', 'orphan')], {
        encoding: 'utf8',
      });
      expect(leftovers.stdout.trim()).toBe('');
      // A fresh sandbox afterwards works and leaves nothing after destroy.
      const info = await provider.create({});
      const client = clientFor(info);
      expect((await run(client, 'echo fresh')).content).toBe('fresh');
      client.close();
      await provider.close();
      expect(
        spawnSync('pgrep', ['-f', join(dataDir, 'sandboxes', info.id)], { encoding: 'utf8' }).stdout.trim(),
      ).toBe('');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('network egress: an interface exists, yet neither 127.0.0.1 nor the host gateway reaches host loopback services', async () => {
    const { createServer } = await import('node:net');
    const listener = createServer((socket) => socket.end('host\n'));
    await new Promise<void>((resolve) => listener.listen(0, '0.0.0.0', resolve));
    const port = (listener.address() as { port: number }).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'deft-egress-'));
    const provider = new ProcessSandboxProvider({ dataDir, warn: () => undefined });
    try {
      const info = await provider.create({ network: 'egress' });
      const client = clientFor(info);
      expect(
        spawnSync('pgrep', ['-P', String(process.pid), '-x', 'slirp4netns'], {
          encoding: 'utf8',
        }).stdout.trim(),
      ).not.toBe('');
      expect((await run(client, 'cat /proc/net/dev')).content).toContain('tap0');
      for (const host of ['127.0.0.1', '10.0.2.2']) {
        const probe = await run(
          client,
          `node -e "const s = require('net').connect(${port}, '${host}'); s.setTimeout(2000, () => { console.log('TIMEOUT'); process.exit(0) }); s.on('connect', () => { console.log('CONNECTED'); process.exit(0) }).on('error', (e) => { console.log('REFUSED ' + e.code); process.exit(0) })"`,
        );
        expect(probe.content).not.toContain('CONNECTED');
      }
      client.close();
    } finally {
      await provider.close();
      await new Promise((resolve) => listener.close(resolve));
      rmSync(dataDir, { recursive: true, force: true });
    }
    // slirp4netns is our child: after destroy none is left
    expect(
      spawnSync('pgrep', ['-P', String(process.pid), '-x', 'slirp4netns'], {
        encoding: 'utf8',
      }).stdout.trim(),
    ).toBe('');
  });

  it('refuses to start without usable namespaces, unless unisolated mode is explicitly allowed (and then warns on every start)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'deft-unisolated-'));
    try {
      expect(
        () => new ProcessSandboxProvider({ dataDir, bwrapPath: '/nonexistent/bwrap', warn: () => undefined }),
      ).toThrow(expect.objectContaining({ code: 'SANDBOX_UNAVAILABLE' }));
      const warnings: string[] = [];
      const provider = new ProcessSandboxProvider({
        dataDir,
        bwrapPath: '/nonexistent/bwrap',
        allowUnisolated: true,
        warn: (m) => warnings.push(m),
      });
      expect(provider.isolation).toBe('none');
      const first = await provider.create({});
      const second = await provider.create({});
      expect(warnings.filter((m) => m.includes('WITHOUT isolation'))).toHaveLength(2);
      expect((await run(clientFor(first), 'echo unisolated')).content).toBe('unisolated');
      await provider.destroy(second.id);
      await provider.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('restarts a sandbox whose runtime was killed, on the same workspace and key', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'deft-restart-'));
    const provider = new ProcessSandboxProvider({ dataDir, warn: () => undefined });
    try {
      const info = await provider.create({});
      const client = clientFor(info);
      await run(client, 'echo keep > /workspace/kept.txt');
      spawnSync('pkill', ['-9', '-f', `${info.id}/socket`]);
      let content = '';
      for (let attempt = 0; attempt < 100 && !content.includes('keep'); attempt++) {
        content = await run(client, 'cat /workspace/kept.txt')
          .then((observation) => observation.content)
          .catch(() => '');
        if (!content.includes('keep')) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(content).toBe('keep');
      for (let attempt = 0; attempt < 100 && (await provider.get(info.id)).status !== 'RUNNING'; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect((await provider.get(info.id)).status).toBe('RUNNING');
      expect((await provider.get(info.id)).sessionApiKey).toBe(info.sessionApiKey);
      client.close();
    } finally {
      await provider.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
