// npm run bench -- sandbox: cold start, warm claim, echo round trip, 20 concurrent starts, idle RSS.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAction } from '@deft/protocol';
import { ProcessSandboxProvider, WarmPool } from '@deft/sandbox';
import { type Metric, percentile, report, summary } from './report.js';

/** Resident memory (MB) of a process tree, and of its members whose command line contains `match`. */
function treeRssMb(root: number, match?: string): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirNumbers('/proc')) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      children.set(Number(fields[1]), [...(children.get(Number(fields[1])) ?? []), entry]);
      rss.set(entry, Number(fields[21]) * 4096);
    } catch {
      // exited meanwhile
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    if (!match || isProgram(pid, match)) total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total / 1024 / 1024;
}

/** true when the process's executable is `program` (bwrap's own command line mentions the runtime too). */
function isProgram(pid: number, program: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]!.endsWith(`/${program}`);
  } catch {
    return false;
  }
}

function readdirNumbers(dir: string): number[] {
  return readdirSync(dir).map(Number).filter(Number.isInteger);
}

export default async function main(): Promise<void> {
  const metrics: Metric[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'deft-bench-sandbox-'));
  const provider = new ProcessSandboxProvider({ dataDir, warn: () => undefined });
  try {
    const cold: number[] = [];
    for (let n = 0; n < 20; n++) {
      const started = performance.now();
      const info = await provider.create({});
      cold.push(performance.now() - started);
      await provider.destroy(info.id, { removeWorkspace: true });
    }
    metrics.push(report('sandbox.process.cold_start_p50_ms', percentile(cold, 50), 'ms'));
    metrics.push(report('sandbox.process.cold_start_p95_ms', percentile(cold, 95), 'ms'));

    const pool = new WarmPool(provider, { size: 3 });
    await pool.filled();
    const claims: number[] = [];
    for (let n = 0; n < 10; n++) {
      await pool.filled();
      const started = performance.now();
      const info = await pool.create({});
      await provider.client(info.id).executeAction(createAction('run', { command: 'true' }));
      claims.push(performance.now() - started);
      await provider.destroy(info.id, { removeWorkspace: true });
    }
    await pool.close();
    metrics.push(report('sandbox.process.warm_claim_p50_ms', percentile(claims, 50), 'ms'));

    const info = await provider.create({});
    const client = provider.client(info.id);
    const echo = createAction('run', { command: 'echo hi' });
    for (let n = 0; n < 20; n++) await client.executeAction(echo);
    const rtts: number[] = [];
    for (let n = 0; n < 200; n++) {
      const started = performance.now();
      await client.executeAction(echo);
      rtts.push(performance.now() - started);
    }
    metrics.push(report('sandbox.process.echo_rtt_p50_ms', percentile(rtts, 50), 'ms'));
    metrics.push(report('sandbox.process.echo_rtt_p99_ms', percentile(rtts, 99), 'ms'));
    await provider.destroy(info.id, { removeWorkspace: true });

    // An idle sandbox: started, answered once, then left alone.
    const idle = await provider.create({});
    await provider.client(idle.id).executeAction(createAction('run', { command: 'true' }));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const bwrapPid = Number(
      JSON.parse(readFileSync(join(dataDir, 'sandboxes', idle.id, 'state.json'), 'utf8')).bwrapPid,
    );
    metrics.push(report('sandbox.process.idle_rss_mb', treeRssMb(bwrapPid, 'node'), 'MB'));
    metrics.push(report('sandbox.process.idle_tree_rss_mb', treeRssMb(bwrapPid), 'MB'));

    const started = performance.now();
    const many = await Promise.all(Array.from({ length: 20 }, () => provider.create({})));
    metrics.push(report('sandbox.process.start_20_concurrent_ms', performance.now() - started, 'ms'));
    await Promise.all(many.map((sandbox) => provider.destroy(sandbox.id, { removeWorkspace: true })));

    const dockerPart = fileURLToPath(new URL('./sandbox-docker.ts', import.meta.url));
    if (existsSync(dockerPart) && process.env.DEFT_TEST_DOCKER_HOST) {
      const { measureDockerColdStart } = (await import(dockerPart)) as {
        measureDockerColdStart: (runs?: number) => Promise<{ p50: number; p95: number }>;
      };
      const docker = await measureDockerColdStart(20);
      metrics.push(report('sandbox.docker.cold_start_p50_ms', docker.p50, 'ms'));
    } else {
      process.stderr.write(
        'sandbox: no docker provider measurement (needs bench/sandbox-docker.ts and DEFT_TEST_DOCKER_HOST)\n',
      );
    }
  } finally {
    await provider.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  summary('sandbox', metrics, {
    cgroups: provider.cgroupMode,
    targets: {
      'sandbox.process.cold_start_p50_ms': '<= 150',
      'sandbox.process.warm_claim_p50_ms': '<= 20',
      'sandbox.process.echo_rtt_p50_ms': '<= 10',
      'sandbox.process.idle_rss_mb': '<= 60',
      'sandbox.docker.cold_start_p50_ms': '<= 400',
    },
  });
}
