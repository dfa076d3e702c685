import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../storage/index.js';
import {
  POSTGRES_REQUIRED,
  POSTGRES_SKIP_REASON,
  postgresTestDatabase,
  sqliteTestDatabase,
  type TestDatabase,
} from '../testing/databases.js';
import { EventLog } from './event-log.js';

const child = fileURLToPath(new URL('../testing/crash-appender.ts', import.meta.url));
// The child runs under plain Node (tsx), where @deft/protocol resolves to its build output.
const built = existsSync(fileURLToPath(new URL('../../../protocol/dist/index.js', import.meta.url)));
const BUILD_SKIP = built ? '' : 'packages/protocol is not built (npm test builds it first)';

async function crashOnce(
  database: TestDatabase,
  killAfterMs: number,
): Promise<{ acknowledged: number[]; sent: number[] }> {
  const args = ['--import', 'tsx', child, database.dataDir, database.url, database.pgSchema ?? ''];
  const proc: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const acknowledged: number[] = [];
  const sent: number[] = [];
  let buffer = '';
  let stderr = '';
  proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line === 'READY') resolve();
        else if (line.startsWith('A ')) acknowledged.push(Number(line.slice(2)));
        else if (line.startsWith('S ')) sent.push(Number(line.slice(2)));
      }
    });
    proc.once('exit', (code) => reject(new Error(`crash child exited early (${code}): ${stderr}`)));
  });
  await ready;
  // Let it append for a while, then kill it without warning.
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (acknowledged.length > 200) {
        clearInterval(check);
        setTimeout(resolve, killAfterMs);
      }
    }, 5);
  });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGKILL');
  await exited;
  return { acknowledged, sent };
}

async function verify(
  database: TestDatabase,
  reported: { acknowledged: number[]; sent: number[] },
): Promise<number> {
  const handle = await openDatabase({
    dataDir: database.dataDir,
    url: database.url,
    pgSchema: database.pgSchema,
  });
  const log = new EventLog(handle);
  try {
    const conversationId = 'c'.repeat(32);
    const latest = await log.latestId(conversationId);
    const ids: number[] = [];
    for (let start = 0; start <= latest; start += 100) {
      const page = await log.search(conversationId, { start_id: start, limit: 100 });
      ids.push(...page.events.map((event) => event.id));
    }
    expect(ids).toEqual(Array.from({ length: latest + 1 }, (_, n) => n));
    for (const id of [...reported.acknowledged, ...reported.sent]) expect(id).toBeLessThanOrEqual(latest);
    // Appending again continues the sequence without a gap.
    expect((await log.append(conversationId, { action: 'null', args: {}, message: '' } as never)).id).toBe(
      latest + 1,
    );
    return latest;
  } finally {
    await log.close();
    await handle.close();
  }
}

function crashSuite(makeDatabase: () => TestDatabase): void {
  it('SIGKILL at a random moment: after reopening, ids are gapless and every event any subscriber was sent is readable', async () => {
    const database = makeDatabase();
    try {
      for (let round = 0; round < 2; round++) {
        const reported = await crashOnce(database, 50 + Math.floor(Math.random() * 400));
        expect(reported.acknowledged.length).toBeGreaterThan(200);
        expect(reported.sent.length).toBeGreaterThan(0);
        await verify(database, reported);
      }
    } finally {
      await database.dispose();
    }
  }, 60_000);
}

describe.skipIf(Boolean(BUILD_SKIP))(
  `EventLog crash safety on SQLite${BUILD_SKIP ? ` (skipped: ${BUILD_SKIP})` : ''}`,
  () => {
    crashSuite(sqliteTestDatabase);
  },
);

if (POSTGRES_SKIP_REASON && POSTGRES_REQUIRED) {
  it('EventLog crash safety on PostgreSQL: a database is required when CI=true', () => {
    throw new Error(POSTGRES_SKIP_REASON);
  });
}
const pgSkip = BUILD_SKIP || POSTGRES_SKIP_REASON;
describe.skipIf(Boolean(pgSkip))(
  `EventLog crash safety on PostgreSQL${pgSkip ? ` (skipped: ${pgSkip})` : ''}`,
  () => {
    crashSuite(postgresTestDatabase);
  },
);
