// npm run bench -- eventlog: append throughput, replay, delivery latency and search latency of the EventLog.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAction, type DeftEvent } from '@deft/protocol';
import { ConversationStore, type DatabaseHandle, EventLog, openDatabase } from '@deft/server';
import pg from 'pg';
import { type Metric, percentile, report, summary } from './report.js';

const event = (n: number): DeftEvent =>
  createAction('run', { command: `echo step ${n} && ls -la /workspace/src` }, { source: 'agent' });
const cid = (n: number) => n.toString(16).padStart(32, '0');

/** Appends `total` events spread over `conversations`, keeping `inFlight` appends outstanding. */
async function appendThroughput(
  log: EventLog,
  conversations: number,
  total: number,
  inFlight = 512,
): Promise<number> {
  const started = performance.now();
  let issued = 0;
  const workers = Array.from({ length: inFlight }, async () => {
    while (issued < total) {
      const n = issued++;
      await log.append(cid(1 + (n % conversations)), event(n));
    }
  });
  await Promise.all(workers);
  return total / ((performance.now() - started) / 1000);
}

async function withSqlite<T>(fn: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'deft-bench-'));
  const handle = await openDatabase({ dataDir: dir });
  try {
    return await fn(handle);
  } finally {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function main(): Promise<void> {
  const metrics: Metric[] = [];

  await withSqlite(async (handle) => {
    const log = new EventLog(handle);
    metrics.push(report('eventlog.sqlite.append_per_s', await appendThroughput(log, 1, 50_000), 'events/s'));
    const sequentialStart = performance.now();
    for (let n = 0; n < 5_000; n++) await log.append(cid(9_999), event(n));
    metrics.push(
      report(
        'eventlog.sqlite.append_sequential_per_s',
        5_000 / ((performance.now() - sequentialStart) / 1000),
        'events/s',
      ),
    );
    await log.close();
  });

  await withSqlite(async (handle) => {
    const log = new EventLog(handle);
    metrics.push(
      report('eventlog.sqlite.append_100conv_per_s', await appendThroughput(log, 100, 50_000), 'events/s'),
    );
    await log.close();
  });

  const pgUrl = process.env.DEFT_TEST_DATABASE_URL || process.env.DATABASE_URL || '';
  if (pgUrl) {
    const schema = `bench_${Date.now()}`;
    const handle = await openDatabase({ url: pgUrl, dataDir: tmpdir(), pgSchema: schema });
    const log = new EventLog(handle);
    metrics.push(
      report('eventlog.pg.append_100conv_per_s', await appendThroughput(log, 100, 20_000), 'events/s'),
    );
    await log.close();
    await handle.close();
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    await client.end();
  } else {
    process.stderr.write(
      'eventlog: no DEFT_TEST_DATABASE_URL or DATABASE_URL, skipping eventlog.pg.append_100conv_per_s\n',
    );
  }

  await withSqlite(async (handle) => {
    const log = new EventLog(handle);
    const conversation = cid(42);
    await appendThroughput(log, 1, 10_000);
    for (let n = 0; n < 10_000; n++) void log.append(conversation, event(n));
    await log.latestId(conversation);
    const replays: number[] = [];
    for (let round = 0; round < 5; round++) {
      const started = performance.now();
      const subscription = log.subscribe(conversation, -1);
      let seen = 0;
      for await (const _ of subscription) if (++seen === 10_000) break;
      replays.push(performance.now() - started);
    }
    metrics.push(report('eventlog.sqlite.replay_10k_ms', percentile(replays, 50), 'ms'));

    // 100 live subscribers on one conversation; latency from append() to each subscriber's receipt.
    const live = cid(43);
    const sentAt = new Map<number, number>();
    const latencies: number[] = [];
    const readers = Array.from({ length: 100 }, async () => {
      const subscription = log.subscribe(live, -1);
      let seen = 0;
      for await (const received of subscription) {
        latencies.push(performance.now() - sentAt.get(received.id)!);
        if (++seen === 1_000) break;
      }
    });
    for (let n = 0; n < 1_000; n++) {
      sentAt.set(n, performance.now());
      await log.append(live, event(n));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(readers);
    metrics.push(report('eventlog.sqlite.delivery_p50_ms', percentile(latencies, 50), 'ms'));
    metrics.push(report('eventlog.sqlite.delivery_p99_ms', percentile(latencies, 99), 'ms'));

    // A 100,000-event conversation; random pages of 100, with and without a filter.
    const big = cid(44);
    for (let n = 0; n < 100_000; n++)
      void log.append(
        big,
        n % 10 === 0 ? createAction('message', { content: `note ${n}` }, { source: 'user' }) : event(n),
      );
    await log.latestId(big);
    const pages: number[] = [];
    for (let round = 0; round < 200; round++) {
      const start = Math.floor(Math.random() * 99_000);
      const started = performance.now();
      await log.search(
        big,
        round % 2
          ? { start_id: start, limit: 100 }
          : { start_id: start, limit: 100, include_types: ['message'], reverse: true },
      );
      pages.push(performance.now() - started);
    }
    metrics.push(report('eventlog.sqlite.search_page_ms_at_100k', percentile(pages, 50), 'ms'));
    metrics.push(report('eventlog.sqlite.search_page_p99_ms_at_100k', percentile(pages, 99), 'ms'));
    await log.close();
  });

  await withSqlite(async (handle) => {
    // 100,000 conversations, then newest-first pages followed by cursor, and a filtered page.
    const rows = Array.from({ length: 100_000 }, (_, n) => ({
      conversation_id: cid(1_000_000 + n),
      title: `Conversation ${n}`,
      created_at: new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString(),
      trigger: 'gui',
      selected_repository: n % 50 === 0 ? 'acme/app' : null,
      accumulated_cost: 0,
      prompt_tokens: 0,
      completion_tokens: 0,
      total_tokens: 0,
      pr_number: '[]',
      loop_state: 'stopped',
    }));
    for (let start = 0; start < rows.length; start += 500) {
      await handle.db
        .insertInto('conversations')
        .values(rows.slice(start, start + 500))
        .execute();
    }
    const store = new ConversationStore(handle);
    const pages: number[] = [];
    let pageId: string | null = null;
    for (let n = 0; n < 200; n++) {
      const started = performance.now();
      const page = await store.list({
        limit: 20,
        pageId,
        selectedRepository: n % 4 === 3 ? 'acme/app' : undefined,
      });
      pages.push(performance.now() - started);
      pageId = n % 4 === 3 ? null : page.next_page_id;
    }
    metrics.push(report('conversations.sqlite.list_page_p50_ms_at_100k', percentile(pages, 50), 'ms'));
    metrics.push(report('conversations.sqlite.list_page_p99_ms_at_100k', percentile(pages, 99), 'ms'));
  });

  summary('eventlog', metrics, {
    targets: {
      'eventlog.sqlite.append_per_s': '>= 20000',
      'eventlog.pg.append_100conv_per_s': '>= 5000',
      'eventlog.sqlite.replay_10k_ms': '<= 100',
      'eventlog.sqlite.delivery_p99_ms': '<= 5',
    },
  });
}
