import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRuntimeBundleDir } from '../bundle-location.js';
import { ProcessSandboxProvider } from '../process/process-provider.js';
import { clientFor, run } from '../testing/provider-contract.js';
import { WarmPool } from './warm-pool.js';

const ready =
  existsSync(join(defaultRuntimeBundleDir(), 'runtime.mjs')) &&
  spawnSync('bwrap', ['--ro-bind', '/', '/', 'true']).status === 0;
const SKIP = ready ? '' : 'bubblewrap or the runtime bundle is missing';

describe.skipIf(Boolean(SKIP))(`warm pool${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  let dataDir: string;
  let provider: ProcessSandboxProvider;
  let pool: WarmPool;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'deft-pool-'));
    provider = new ProcessSandboxProvider({ dataDir, warn: () => undefined });
    pool = new WarmPool(provider, { size: 2 });
    await pool.filled();
  });
  afterAll(async () => {
    await pool.close();
    await provider.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('claims a started sandbox at once, moves its fresh workspace to the caller’s dir, and refills', async () => {
    expect(pool.available).toBe(2);
    const workspaceDir = join(dataDir, 'conversation-a');
    const started = performance.now();
    const info = await pool.create({ workspaceDir });
    const claimMs = performance.now() - started;
    expect(claimMs).toBeLessThan(100);
    expect(info.status).toBe('RUNNING');
    expect(info.workspaceDir).toBe(workspaceDir);
    const client = clientFor(info);
    await run(client, 'echo claimed > /workspace/hello.txt');
    expect(readFileSync(join(workspaceDir, 'hello.txt'), 'utf8')).toBe('claimed\n');
    client.close();
    await pool.filled();
    expect(pool.available).toBe(2);
  });

  it('falls through to a normal start for a spec it cannot honour (a chosen id)', async () => {
    const info = await pool.create({ id: 'chosen-id' });
    expect(info.id).toBe('chosen-id');
    expect(pool.available).toBe(2);
  });
});
