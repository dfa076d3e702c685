import { createAction, createObservation, type DeftError, type DeftEvent } from '@deft/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventLog } from '../events/index.js';
import type { StoredEvent } from '../events/stored-event.js';
import type { DatabaseHandle } from '../storage/index.js';
import type { TestDatabase } from './databases.js';

const user = (content: string): DeftEvent => createAction('message', { content }, { source: 'user' });
const run = (command: string, hidden = false): DeftEvent =>
  createAction('run', { command, hidden }, { source: 'agent' });
const ran = (command: string, output: string): DeftEvent =>
  createObservation('run', output, { command, metadata: { exit_code: 0 } as never }, { source: 'agent' });

let counter = 0;
const conversation = () => `${(++counter).toString(16).padStart(8, '0')}${'c'.repeat(24)}`;

async function take(iterator: AsyncIterator<StoredEvent>, count: number): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  while (out.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

/** The EventLog contract (issue 2, ARCHITECTURE.md "The event log"), run against every database. */
export function describeEventLogContract(makeDatabase: () => TestDatabase): void {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let log: EventLog;

  beforeAll(async () => {
    database = makeDatabase();
    handle = await database.open();
    log = new EventLog(handle);
  });
  afterAll(async () => {
    await log?.close();
    await handle?.close();
    await database?.dispose();
  });

  describe('append', () => {
    it('assigns consecutive ids from 0 per conversation and an ISO timestamp', async () => {
      const a = conversation();
      const b = conversation();
      const first = await log.append(a, user('one'));
      const second = await log.append(a, user('two'));
      const other = await log.append(b, user('three'));
      expect([first.id, second.id, other.id]).toEqual([0, 1, 0]);
      expect(new Date(first.timestamp).toISOString()).toBe(first.timestamp);
      expect(first).toMatchObject({
        source: 'user',
        action: 'message',
        message: 'one',
        args: { content: 'one' },
      });
      expect(await log.latestId(a)).toBe(1);
      expect(await log.latestId(conversation())).toBe(-1);
    });

    it('keeps ids gapless and ordered under concurrent appends to many conversations', async () => {
      const ids = Array.from({ length: 20 }, conversation);
      const appends = ids.flatMap((id) =>
        Array.from({ length: 50 }, (_, n) => log.append(id, user(`${id}:${n}`))),
      );
      const stored = await Promise.all(appends);
      for (const id of ids) {
        const mine = stored.filter((event) =>
          (event as { args: { content: string } }).args.content.startsWith(id),
        );
        expect(mine.map((event) => event.id)).toEqual(Array.from({ length: 50 }, (_, n) => n));
        const page = await log.search(id, { limit: 100 });
        expect(page.events.map((event) => (event as { args: { content: string } }).args.content)).toEqual(
          Array.from({ length: 50 }, (_, n) => `${id}:${n}`),
        );
      }
    });

    it('masks the values of registered secrets as <secret_hidden> before persisting', async () => {
      const id = conversation();
      log.registerSecrets(id, ['hunter2-secret']);
      log.registerSecrets('*', ['global-token-xyz']);
      const stored = await log.append(id, ran('echo hunter2-secret', 'hunter2-secret and global-token-xyz'));
      const read = await log.get(id, stored.id);
      const text = JSON.stringify(read);
      expect(text).not.toContain('hunter2-secret');
      expect(text).not.toContain('global-token-xyz');
      expect(read).toMatchObject({
        content: '<secret_hidden> and <secret_hidden>',
        extras: { command: 'echo <secret_hidden>' },
        message: 'Command `echo <secret_hidden>` executed with exit code 0.',
      });
      const otherConversation = await log.append(conversation(), user('hunter2-secret'));
      expect(otherConversation.message).toBe('hunter2-secret');
    });

    it('is durable before a subscriber sees the event (persist, then publish)', async () => {
      const id = conversation();
      const subscription = log.subscribe(id, -1);
      const appends = Array.from({ length: 30 }, (_, n) => log.append(id, user(`m${n}`)));
      for (const event of await take(subscription, 30)) {
        expect(await log.get(id, event.id)).toEqual(event);
      }
      subscription.close();
      await Promise.all(appends);
    });
  });

  describe('search (reference §1.3 GET /events)', () => {
    let id: string;
    beforeAll(async () => {
      id = conversation();
      for (let n = 0; n < 30; n++) {
        await log.append(
          id,
          n % 3 === 0
            ? user(`Hello ${n}`)
            : n % 3 === 1
              ? run(`echo ${n}`, n === 4)
              : ran(`echo ${n}`, `${n}`),
        );
      }
    });

    it('defaults to start_id 0, 20 events, ascending, with has_more', async () => {
      const page = await log.search(id);
      expect(page.events.map((e) => e.id)).toEqual(Array.from({ length: 20 }, (_, n) => n));
      expect(page.has_more).toBe(true);
      const rest = await log.search(id, { start_id: 20 });
      expect(rest.events.map((e) => e.id)).toEqual(Array.from({ length: 10 }, (_, n) => 20 + n));
      expect(rest.has_more).toBe(false);
    });

    it('rejects a limit outside 1..100 with EVENT_SEARCH_INVALID_LIMIT ("Invalid limit", 400)', async () => {
      for (const limit of [0, 101, -1, 2.5]) {
        await expect(log.search(id, { limit })).rejects.toMatchObject({
          code: 'EVENT_SEARCH_INVALID_LIMIT',
          status: 400,
          message: 'Invalid limit',
        });
      }
      expect((await log.search(id, { limit: 100 })).events).toHaveLength(30);
      expect((await log.search(id, { limit: 1 })).events).toHaveLength(1);
    });

    it('treats end_id as inclusive and iterates in reverse from end_id down to start_id', async () => {
      expect((await log.search(id, { start_id: 5, end_id: 8 })).events.map((e) => e.id)).toEqual([
        5, 6, 7, 8,
      ]);
      const reverse = await log.search(id, { start_id: 5, end_id: 12, reverse: true, limit: 3 });
      expect(reverse.events.map((e) => e.id)).toEqual([12, 11, 10]);
      expect(reverse.has_more).toBe(true);
      expect((await log.search(id, { reverse: true, limit: 2 })).events.map((e) => e.id)).toEqual([29, 28]);
    });

    it('filters by include/exclude types, source, text and hidden', async () => {
      const messages = await log.search(id, { include_types: ['message'], limit: 100 });
      expect(messages.events.map((e) => e.id)).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
      const noRuns = await log.search(id, { exclude_types: ['run'], limit: 100 });
      expect(noRuns.events.every((e) => 'action' in e && e.action === 'message')).toBe(true);
      const bySource = await log.search(id, { source: 'user', limit: 100 });
      expect(bySource.events).toHaveLength(10);
      const text = await log.search(id, { query: 'HELLO 1', limit: 100 });
      expect(text.events.map((e) => e.id)).toEqual([12, 15, 18]);
      const withPercent = await log.search(id, { query: '100%', limit: 100 });
      expect(withPercent.events).toEqual([]);
      const visible = await log.search(id, { exclude_hidden: true, limit: 100 });
      expect(visible.events.map((e) => e.id)).not.toContain(4);
      expect(visible.events).toHaveLength(29);
    });

    it('filters by an inclusive date range', async () => {
      const all = (await log.search(id, { limit: 100 })).events;
      const stamp = all[10]!.timestamp;
      const from = await log.search(id, { start_date: stamp, limit: 100 });
      expect(from.events.every((e) => e.timestamp >= stamp)).toBe(true);
      expect(from.events.map((e) => e.id)).toContain(10);
      const until = await log.search(id, { end_date: stamp, limit: 100 });
      expect(until.events.map((e) => e.id)).toContain(10);
      expect((await log.search(id, { start_date: '2999-01-01' })).events).toEqual([]);
      expect((await log.search(id, { end_date: '2000-01-01' })).events).toEqual([]);
      await expect(log.search(id, { start_date: 'yesterday' })).rejects.toMatchObject({
        code: 'EVENT_SEARCH_INVALID',
      });
    });
  });

  describe('subscribe', () => {
    it('replays stored events after the cursor, then continues live', async () => {
      const id = conversation();
      for (let n = 0; n < 5; n++) await log.append(id, user(`s${n}`));
      const fromStart = log.subscribe(id, -1);
      const fromCursor = log.subscribe(id, 2);
      expect((await take(fromStart, 5)).map((e) => e.id)).toEqual([0, 1, 2, 3, 4]);
      expect((await take(fromCursor, 2)).map((e) => e.id)).toEqual([3, 4]);
      await log.append(id, user('live'));
      expect((await take(fromStart, 1))[0]).toMatchObject({ id: 5, message: 'live' });
      expect((await take(fromCursor, 1))[0]!.id).toBe(5);
      fromStart.close();
      fromCursor.close();
      expect(log.subscriberCount(id)).toBe(0);
    });

    it('has no gap and no duplicate while appends race the replay', async () => {
      const id = conversation();
      for (let n = 0; n < 1500; n++) void log.append(id, user(`r${n}`));
      await log.latestId(id);
      const subscription = log.subscribe(id, -1);
      const racing = (async () => {
        for (let n = 1500; n < 3000; n++) {
          await log.append(id, user(`r${n}`));
          if (n % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      const received = await take(subscription, 3000);
      await racing;
      subscription.close();
      expect(received.map((e) => e.id)).toEqual(Array.from({ length: 3000 }, (_, n) => n));
      expect(received.map((e) => e.message)).toEqual(Array.from({ length: 3000 }, (_, n) => `r${n}`));
    });

    it('drops a subscriber that falls too far behind; it resubscribes from its cursor and misses nothing', async () => {
      const id = conversation();
      const slow = log.subscribe(id, -1, { maxQueue: 10 });
      const first = await Promise.all([
        take(slow, 3),
        (async () => {
          for (let n = 0; n < 3; n++) await log.append(id, user(`d${n}`));
        })(),
      ]);
      expect(first[0].map((e) => e.id)).toEqual([0, 1, 2]);
      for (let n = 3; n < 60; n++) await log.append(id, user(`d${n}`));
      let error: DeftError | undefined;
      try {
        await take(slow, 100);
      } catch (caught) {
        error = caught as DeftError;
      }
      expect(error?.code).toBe('SUBSCRIBER_TOO_SLOW');
      expect(slow.closedReason?.code).toBe('SUBSCRIBER_TOO_SLOW');
      expect(log.subscriberCount(id)).toBe(0);
      const resumed = log.subscribe(id, slow.cursor);
      expect(slow.cursor).toBe(2);
      expect((await take(resumed, 57)).map((e) => e.id)).toEqual(Array.from({ length: 57 }, (_, n) => n + 3));
      resumed.close();
    });

    it('holds bounded memory for a reader that never reads: queued events never exceed maxQueue', async () => {
      const id = conversation();
      const idle = log.subscribe(id, -1, { maxQueue: 50 });
      await take(idle, 0);
      for (let n = 0; n < 200; n++) await log.append(id, user(`m${n}`));
      await expect(take(idle, 1)).rejects.toMatchObject({ code: 'SUBSCRIBER_TOO_SLOW' });
    });
  });

  describe('lifecycle', () => {
    afterEach(() => undefined);

    it('keeps everything across a reopen and continues the ids; migrations are idempotent', async () => {
      const id = conversation();
      await log.append(id, user('before'));
      const second = await database.open();
      const reopened = new EventLog(second);
      expect((await reopened.get(id, 0))?.message).toBe('before');
      expect((await reopened.append(id, user('after'))).id).toBe(1);
      await reopened.close();
      await second.close();
    });

    it('deletes a conversation and ends its subscriptions', async () => {
      const id = conversation();
      await log.append(id, user('x'));
      const subscription = log.subscribe(id, 0);
      await log.deleteConversation(id);
      expect(await log.get(id, 0)).toBeNull();
      expect(await subscription.next()).toEqual({ value: undefined, done: true });
      expect((await log.append(id, user('again'))).id).toBe(0);
    });

    it('refuses appends after close and ends subscribers with EVENT_LOG_CLOSED', async () => {
      const second = await database.open();
      const closing = new EventLog(second);
      const id = conversation();
      const subscription = closing.subscribe(id, -1);
      const pending = closing.append(id, user('last'));
      await closing.close();
      expect((await pending).id).toBe(0);
      await expect(closing.append(id, user('late'))).rejects.toMatchObject({ code: 'EVENT_LOG_CLOSED' });
      await expect(take(subscription, 2)).rejects.toMatchObject({ code: 'EVENT_LOG_CLOSED' });
      await second.close();
    });
  });
}
