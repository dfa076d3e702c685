// npm run bench -- server: the app server under load.
// - idle RSS of a fresh `deft serve` (the built CLI, embedded defaults);
// - GET /api/conversations?limit=20 latency with 10,000 stored conversations (first and later pages);
// - one conversation fanned out to 100 socket.io clients: append → receive, every client, every event;
// - 100 conversations × 20 commands at once in process sandboxes, against `deft serve` with a scripted LLM
//   in its own process: wall time, errors, peak server RSS.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAction } from '@deft/protocol';
import {
  ConversationStore,
  createLogger,
  loadConfig,
  openDatabase,
  type RunningServer,
  startServer,
} from '@deft/server';
import { apiClient, openSocket, type Received } from '../packages/server/src/testing/server-harness.js';
import { startDeftServe, stopProcess } from '../testkit/deft-serve.js';
import { type Metric, percentile, report, summary } from './report.js';

const LLM_SERVER = fileURLToPath(new URL('../testkit/llm-server/serve.ts', import.meta.url));

export default async function main(): Promise<void> {
  const metrics: Metric[] = [];
  metrics.push(report('server.idle_rss_mb', await idleRss(), 'MB'));
  const { p50, p99, laterPageP99 } = await listLatency();
  metrics.push(report('server.list_p50_ms_at_10k', p50, 'ms'));
  metrics.push(report('server.list_p99_ms_at_10k', p99, 'ms'));
  metrics.push(report('server.list_later_page_p99_ms_at_10k', laterPageP99, 'ms'));
  metrics.push(report('server.fanout_p99_ms_100_clients', await fanout(), 'ms'));
  const concurrent = await concurrentRuns(100, 20);
  metrics.push(report('server.concurrent_100x20_wall_s', concurrent.wallSeconds, 's'));
  metrics.push(report('server.concurrent_100x20_errors', concurrent.errors, 'count'));
  metrics.push(report('server.concurrent_100x20_peak_rss_mb', concurrent.peakRssMb, 'MB'));
  summary('server', metrics, {
    targets: {
      'server.list_p99_ms_at_10k': '<= 20',
      'server.fanout_p99_ms_100_clients': '<= 20',
      'server.concurrent_100x20_errors': '0',
      'server.idle_rss_mb': '<= 150',
    },
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function idleRss(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'deft-bench-idle-'));
  const { child } = await startDeftServe(dir);
  try {
    // Let start-up garbage be collected the way an idle server would.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    return rssMb(child.pid!);
  } finally {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function inProcessServer(dataDir: string): Promise<RunningServer> {
  return startServer(
    loadConfig({
      env: { DEFT_HOME: dataDir },
      overrides: { port: 0, server: { rate_limit_per_second: 0 }, conversations: { sweep_interval_ms: 0 } },
    }),
    { logger: createLogger({ level: 'warn' }) },
  );
}

async function listLatency(): Promise<{ p50: number; p99: number; laterPageP99: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'deft-bench-list-'));
  try {
    const seed = await openDatabase({ dataDir: dir, sqliteSynchronous: 'normal' });
    const store = new ConversationStore(seed);
    const base = Date.parse('2026-01-01T00:00:00Z');
    for (let n = 0; n < 10_000; n += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, k) =>
          store.create({
            conversation_id: (n + k).toString(16).padStart(32, '0'),
            title: `Conversation ${n + k}`,
            created_at: new Date(base + (n + k) * 60_000).toISOString(),
            selected_repository: (n + k) % 10 === 0 ? 'deft/example' : null,
          }),
        ),
      );
    }
    await seed.close();

    const server = await inProcessServer(dir);
    try {
      const timed = async (path: string) => {
        const started = performance.now();
        const response = await fetch(`${server.url}${path}`);
        const body = (await response.json()) as { results: unknown[]; next_page_id: string | null };
        const elapsed = performance.now() - started;
        if (response.status !== 200 || body.results.length !== 20)
          throw new Error(`list failed: ${response.status}`);
        return { elapsed, next: body.next_page_id };
      };
      for (let n = 0; n < 50; n++) await timed('/api/conversations?limit=20');
      const first: number[] = [];
      for (let n = 0; n < 1_000; n++) first.push((await timed('/api/conversations?limit=20')).elapsed);
      // Walk 200 pages deep: keyset pagination should cost the same on page 200 as on page 1.
      const later: number[] = [];
      let page: string | null = null;
      for (let n = 0; n < 200; n++) {
        const result = await timed(`/api/conversations?limit=20${page ? `&page_id=${page}` : ''}`);
        later.push(result.elapsed);
        page = result.next;
      }
      return { p50: percentile(first, 50), p99: percentile(first, 99), laterPageP99: percentile(later, 99) };
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function fanout(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'deft-bench-fanout-'));
  const server = await inProcessServer(dir);
  const sockets: ReturnType<typeof openSocket>[] = [];
  try {
    const api = apiClient(() => server.url);
    await api.saveSettings('http://127.0.0.1:9/v1');
    const { conversation_id: id } = await server.conversations.create();
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let received = 0;
    let measuring = false;
    for (let n = 0; n < 100; n++) {
      const client = openSocket(server.url, { conversation_id: id, latest_event_id: '-1' });
      client.socket.on('oh_event', (event: Received) => {
        const at = sentAt.get(String(event.message));
        if (at === undefined) return;
        if (measuring) latencies.push(performance.now() - at);
        received++;
      });
      sockets.push(client);
    }
    await Promise.all(sockets.map((client) => client.connected));
    const round = async (n: number) => {
      const marker = `fanout ${n}`;
      received = 0;
      sentAt.set(marker, performance.now());
      await server.events.append(id, {
        ...createAction('message', { content: marker }, { message: marker }),
        source: 'agent',
      });
      const deadline = Date.now() + 5_000;
      while (received < sockets.length) {
        if (Date.now() > deadline)
          throw new Error(`fan-out: only ${received} of ${sockets.length} clients got ${marker}`);
        await new Promise((resolve) => setImmediate(resolve));
      }
      sentAt.delete(marker);
    };
    for (let n = 0; n < 20; n++) await round(n);
    measuring = true;
    for (let n = 20; n < 320; n++) await round(n);
    return percentile(latencies, 99);
  } finally {
    for (const client of sockets) client.socket.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function concurrentRuns(
  conversations: number,
  commands: number,
): Promise<{ wallSeconds: number; errors: number; peakRssMb: number }> {
  const llmProcess = spawn(
    process.execPath,
    ['--import', 'tsx', LLM_SERVER, '--commands', String(commands)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const llmUrl = await new Promise<string>((resolve) =>
    llmProcess.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())),
  );
  const dir = mkdtempSync(join(tmpdir(), 'deft-bench-concurrent-'));
  const { url, child } = await startDeftServe(dir, {
    env: {
      DEFT_CONVERSATIONS__MAX_RUNNING: String(conversations),
      DEFT_SERVER__RATE_LIMIT_PER_SECOND: '0',
    },
  });
  let peakRssMb = rssMb(child.pid!);
  const sampler = setInterval(() => {
    if (child.exitCode === null) peakRssMb = Math.max(peakRssMb, rssMb(child.pid!));
  }, 250);
  try {
    const api = apiClient(() => url);
    const saved = await api.saveSettings(llmUrl, { max_iterations: 200 });
    if (saved.status !== 200) throw new Error(`settings: ${JSON.stringify(saved.body)}`);
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: conversations }, async (_, n) => {
        const created = await api.post('/api/conversations', {
          initial_user_msg: `run ${commands} commands (#${n})`,
        });
        if (created.status !== 200) return `create: ${created.status} ${JSON.stringify(created.body)}`;
        return followToEnd(api, created.body.conversation_id as string, commands);
      }),
    );
    const wallSeconds = (performance.now() - started) / 1000;
    const failures = outcomes.filter((outcome) => outcome !== 'ok');
    for (const failure of new Set(failures)) process.stderr.write(`bench server: ${failure}\n`);
    return { wallSeconds, errors: failures.length, peakRssMb };
  } finally {
    clearInterval(sampler);
    await stopProcess(child);
    llmProcess.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads the conversation's events as they come until the agent finishes or fails; 'ok' or the reason. */
async function followToEnd(api: ReturnType<typeof apiClient>, id: string, commands: number): Promise<string> {
  let next = 0;
  const outputs: string[] = [];
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline) {
    const page = await api.get(`/api/conversations/${id}/events?start_id=${next}&limit=100`);
    if (page.status !== 200) return `events: ${page.status}`;
    for (const event of page.body.events as Received[]) {
      next = event.id + 1;
      if (event.observation === 'run') {
        if (event.extras.metadata?.exit_code !== 0) return `command failed: ${event.content}`;
        outputs.push(String(event.content).trim());
      }
      if (event.observation === 'agent_state_changed') {
        const state = event.extras.agent_state;
        if (state === 'error') return `agent error: ${event.extras.reason ?? ''}`;
        if (state === 'finished') {
          const expected = Array.from({ length: commands }, (_, k) => `step ${k + 1}`);
          return outputs.join('|') === expected.join('|') ? 'ok' : `wrong outputs: ${outputs.join('|')}`;
        }
      }
    }
    if (!page.body.has_more) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return 'timed out';
}
