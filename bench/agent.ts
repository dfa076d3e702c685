// npm run bench -- agent: per-step overhead at steps 1, 500 and 2000 of one conversation, and aggregate
// steps/s for 10 conversations × 200 steps with events persisted in SQLite. The scripted LLM answers at once
// with a `think` tool call (a no-op tool).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AgentController,
  CodeActAgent,
  type ConversationEventLog,
  createLlmClient,
  type LlmClient,
  type StoredEvent,
} from '@deft/agent';
import { createObservation, type DeftEvent } from '@deft/protocol';
import { EventLog, openDatabase } from '@deft/server';
import { type Metric, percentile, report, summary } from './report.js';

const runner = { run: async () => createObservation('null', '') };

/** Counts the time spent inside the LLM call, so the controller's own overhead can be separated. */
function timedClient(inner: LlmClient, timings: { inLlm: number }): LlmClient {
  return {
    model: inner.model,
    async complete(request, options) {
      const started = performance.now();
      try {
        return await inner.complete(request, options);
      } finally {
        timings.inLlm += performance.now() - started;
      }
    },
  };
}

class InMemoryLog implements ConversationEventLog {
  readonly events: StoredEvent[] = [];
  async append(event: DeftEvent): Promise<StoredEvent> {
    const stored = { ...event, id: this.events.length, timestamp: new Date().toISOString() } as StoredEvent;
    this.events.push(stored);
    return stored;
  }
  async *readAll(): AsyncIterable<StoredEvent> {
    yield* this.events;
  }
}

export default async function main(): Promise<void> {
  // The model runs in its own process, as a real one would.
  const server = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('../testkit/llm-server/serve.ts', import.meta.url))],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const baseUrl = await new Promise<string>((resolve) =>
    server.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())),
  );
  const llm = {
    baseUrl,
    close: async () => {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    },
  };
  const metrics: Metric[] = [];
  try {
    // One conversation, 2,050 steps; record each step's wall time and the part spent in the LLM call.
    const timings = { inLlm: 0 };
    const log = new InMemoryLog();
    const agent = new CodeActAgent({
      llm: timedClient(createLlmClient({ model: 'openai-compatible/bench', baseUrl: llm.baseUrl }), timings),
      condenser: false,
    });
    const controller = new AgentController({
      conversationId: 'b'.repeat(32),
      agent,
      log,
      runner,
      config: { maxIterations: 100_000, stuckDetection: true },
    });
    const overhead: number[] = [];
    const total: number[] = [];
    let lastAt = performance.now();
    let lastLlm = 0;
    const target = 2_050;
    const done = new Promise<void>((resolve) => {
      const originalAppend = log.append.bind(log);
      log.append = async (event) => {
        const stored = await originalAppend(event);
        if ('observation' in stored && stored.observation === 'think') {
          const now = performance.now();
          total.push(now - lastAt);
          overhead.push(now - lastAt - (timings.inLlm - lastLlm));
          lastAt = now;
          lastLlm = timings.inLlm;
          if (total.length === target) {
            void controller
              .submit({
                action: 'change_agent_state',
                args: { agent_state: 'stopped', thought: '' },
                message: '',
              } as DeftEvent)
              .then(() => resolve());
          }
        }
        return stored;
      };
    });
    await controller.start({ initialMessage: 'bench' });
    await done;
    await controller.close();
    const around = (step: number, samples: number[]) =>
      percentile(samples.slice(Math.max(0, step - 25), step + 25), 50);
    metrics.push(report('agent.step_ms_at_1', around(1, overhead), 'ms'));
    metrics.push(report('agent.step_ms_at_500', around(500, overhead), 'ms'));
    metrics.push(report('agent.step_ms_at_2000', around(2000, overhead), 'ms'));
    metrics.push(report('agent.step_total_ms_at_1', around(1, total), 'ms'));
    metrics.push(report('agent.step_total_ms_at_2000', around(2000, total), 'ms'));

    // 10 conversations × 200 steps at once, events in SQLite through the server's EventLog.
    for (const synchronous of ['full', 'normal'] as const) {
      const rate = await aggregate(llm.baseUrl, synchronous);
      metrics.push(
        report(
          synchronous === 'full' ? 'agent.steps_per_s_10x200' : 'agent.steps_per_s_10x200_sqlite_normal',
          rate,
          'steps/s',
        ),
      );
    }
  } finally {
    await llm.close();
  }
  summary('agent', metrics, {
    note: 'agent.step_ms_at_N excludes the time inside the LLM call (the scripted server round trip, incl. request serialization); step_total includes it',
    targets: {
      'agent.step_ms_at_2000': '<= 1.5 x step_ms_at_1 and <= 2',
      'agent.steps_per_s_10x200': '>= 500',
    },
  });
}

/** Steps per second of 10 conversations × 200 steps at once, with events in SQLite at the given durability. */
async function aggregate(baseUrl: string, synchronous: 'full' | 'normal'): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'deft-bench-agent-'));
  const database = await openDatabase({ dataDir: dir, sqliteSynchronous: synchronous });
  const eventLog = new EventLog(database);
  try {
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 10 }, async (_, n) => {
        const id = n.toString(16).padStart(32, '0');
        let steps = 0;
        let resolveFinished: () => void = () => undefined;
        const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
        const conversationLog: ConversationEventLog = {
          append: async (event) => {
            const stored = await eventLog.append(id, event);
            if ('observation' in stored && stored.observation === 'think' && ++steps === 200)
              resolveFinished();
            return stored;
          },
          readAll: () => eventLog.subscribe(id, -1),
        };
        const controller = new AgentController({
          conversationId: id,
          agent: new CodeActAgent({
            llm: createLlmClient({ model: 'openai-compatible/bench', baseUrl }),
            condenser: false,
          }),
          log: conversationLog,
          runner,
          config: { maxIterations: 100_000 },
        });
        await controller.start({ initialMessage: 'bench' });
        await finished;
        await controller.close();
      }),
    );
    return 2_000 / ((performance.now() - started) / 1000);
  } finally {
    await eventLog.close();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
