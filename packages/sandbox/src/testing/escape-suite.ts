import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxInfo, SandboxProvider } from '../provider.js';
import type { RuntimeClient } from '../runtime-client/index.js';
import { clientFor, type ProviderFactory, run } from './provider-contract.js';

/**
 * Escape attempts (issue 3): each case shows containment — the host is unchanged — not merely "no crash".
 */
export function describeEscapeSuite(name: string, factory: ProviderFactory): void {
  describe(`sandbox escape suite: ${name}`, () => {
    let dataDir: string;
    let hostDir: string;
    let provider: SandboxProvider;
    let info: SandboxInfo;
    let client: RuntimeClient;
    let listener: Server;
    let port: number;

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), `deft-escape-${name}-`));
      hostDir = mkdtempSync(join(tmpdir(), 'deft-host-'));
      writeFileSync(join(hostDir, 'host-secret.txt'), 'host secret');
      listener = createServer((socket) => socket.end('host service\n'));
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      port = (listener.address() as { port: number }).port;
      provider = await factory.make(dataDir);
      info = await provider.create({ limits: { memoryBytes: 256 * 1024 * 1024, pids: 128, cpus: 1 } });
      client = clientFor(info);
    });
    afterAll(async () => {
      client?.close();
      await provider?.close();
      await new Promise((resolve) => listener?.close(resolve));
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(hostDir, { recursive: true, force: true });
    });

    it('cannot read or write a host file outside the workspace', async () => {
      const read = await run(client, `cat ${join(hostDir, 'host-secret.txt')} /etc/shadow 2>&1; echo done`);
      expect(read.content).not.toContain('host secret');
      expect(read.content).toContain('No such file or directory');
      const write = await run(
        client,
        `echo pwned > ${join(hostDir, 'pwned.txt')} 2>&1; echo pwned > /usr/pwned.txt 2>&1; echo pwned > /etc/pwned 2>&1; true`,
      );
      expect(write.content).toMatch(/No such file or directory|Read-only file system|Permission denied/);
      expect(existsSync(join(hostDir, 'pwned.txt'))).toBe(false);
      expect(existsSync('/usr/pwned.txt')).toBe(false);
      expect(existsSync('/etc/pwned')).toBe(false);
      expect(readFileSync(join(hostDir, 'host-secret.txt'), 'utf8')).toBe('host secret');
    });

    it('cannot remount a read-only directory writable (no capabilities inside)', async () => {
      const attempt = await run(
        client,
        'grep CapEff /proc/self/status; mount -o remount,rw,bind /usr 2>&1; touch /usr/remounted 2>&1; true',
      );
      expect(attempt.content).toMatch(/CapEff:\s+0+\b/);
      expect(attempt.content).toMatch(/permission denied|not permitted|must be superuser|Read-only/i);
      expect(existsSync('/usr/remounted')).toBe(false);
    });

    it('cannot reach a host loopback port with network none', async () => {
      const probe = await run(
        client,
        `node -e "require('net').connect(${port}, '127.0.0.1').on('connect', () => { console.log('CONNECTED'); process.exit(0) }).on('error', (e) => { console.log('REFUSED ' + e.code); process.exit(0) })"`,
      );
      expect(probe.content).not.toContain('CONNECTED');
      expect(probe.content).toContain('REFUSED');
    });

    it('contains a fork bomb: the process limit holds, the host stays fine, the same sandbox runs the next command', async () => {
      await run(client, ':(){ :|:& };:', 5);
      // Let the bomb hit the limit.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const hostStarted = Date.now();
      expect(spawnSync('true').status).toBe(0);
      expect(Date.now() - hostStarted).toBeLessThan(2_000);
      expect((await run(client, 'echo still-usable', 30)).content).toContain('still-usable');
      // A command that must fork works again: leftovers were cleaned up, and there never were more than the limit.
      const count = await run(client, 'ls -d /proc/[0-9]* | wc -l', 30);
      expect(count.extras).toMatchObject({ metadata: { exit_code: 0 } });
      // (bash may add a job notice such as "[1]+ Killed" around the number)
      expect(Number(/^\d+$/m.exec(count.content)?.[0])).toBeLessThanOrEqual(128);
      expect((await run(client, 'ls / | wc -l', 30)).extras).toMatchObject({ metadata: { exit_code: 0 } });
    });

    it('kills a memory hog at the limit; the agent gets an error exit, and the runtime answers the next action', async () => {
      const hog = await run(
        client,
        `node -e "const a = []; for (;;) a.push(Buffer.alloc(16 * 1024 * 1024, 1))"`,
        60,
      );
      expect(hog.extras).toMatchObject({ metadata: {} });
      const exitCode = (hog.extras as { metadata: { exit_code: number } }).metadata.exit_code;
      expect(exitCode).not.toBe(0);
      let answered = false;
      for (let attempt = 0; attempt < 100 && !answered; attempt++) {
        answered = await run(client, 'echo after-hog')
          .then((observation) => observation.content.includes('after-hog'))
          .catch(() => false);
        if (!answered) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(answered).toBe(true);
    });

    it('refuses path traversal through list, upload and download (../, absolute paths, symlinks out)', async () => {
      await run(client, 'ln -sfn /etc /workspace/etc-link; ln -sfn / /workspace/root-link');
      for (const path of ['/workspace/../etc', '/etc', '/workspace/etc-link', '/workspace/root-link/tmp']) {
        await expect(client.listFiles(path)).rejects.toMatchObject({ code: 'PATH_OUTSIDE_WORKSPACE' });
        await expect(client.downloadFiles(path)).rejects.toMatchObject({ code: 'PATH_OUTSIDE_WORKSPACE' });
      }
      await expect(client.uploadFile('/workspace/etc-link', 'x.txt', Buffer.from('x'))).rejects.toMatchObject(
        { code: 'PATH_OUTSIDE_WORKSPACE' },
      );
      await expect(client.uploadFile('/tmp', 'x.txt', Buffer.from('x'))).rejects.toMatchObject({
        code: 'PATH_OUTSIDE_WORKSPACE',
      });
      expect(existsSync(join(info.workspaceDir, 'x.txt'))).toBe(false);
    });
  });
}
