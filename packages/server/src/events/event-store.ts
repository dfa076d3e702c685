import { DeftError } from '@deft/protocol';
import { type Kysely, sql } from 'kysely';
import type { Database, DatabaseHandle, EventRow } from '../storage/index.js';
import { type EventSearchQuery, normalizeSearch } from './search-query.js';
import type { StoredEvent } from './stored-event.js';

/** Rows per INSERT statement: 8 columns each stays far below PostgreSQL's 65,535 bind parameters. */
const ROWS_PER_STATEMENT = 1000;

/** SQL access for the event log: the only place that knows the events table. */
export class EventStore {
  readonly #db: Kysely<Database>;

  constructor(database: DatabaseHandle) {
    this.#db = database.db;
  }

  /** Inserts all rows in one transaction. */
  async insert(entries: { conversationId: string; event: StoredEvent }[]): Promise<void> {
    const rows = entries.map(({ conversationId, event }) => toRow(conversationId, event));
    await this.#db.transaction().execute(async (trx) => {
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        await trx
          .insertInto('events')
          .values(rows.slice(start, start + ROWS_PER_STATEMENT))
          .execute();
      }
    });
  }

  async get(conversationId: string, id: number): Promise<StoredEvent | null> {
    const row = await this.#db
      .selectFrom('events')
      .select('body')
      .where('conversation_id', '=', conversationId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? (JSON.parse(row.body) as StoredEvent) : null;
  }

  async latestId(conversationId: string): Promise<number> {
    return (await this.latestIds([conversationId])).get(conversationId) ?? -1;
  }

  async latestIds(conversationIds: string[]): Promise<Map<string, number>> {
    const rows = await this.#db
      .selectFrom('events')
      .select(['conversation_id', (eb) => eb.fn.max('id').as('max_id')])
      .where('conversation_id', 'in', conversationIds)
      .groupBy('conversation_id')
      .execute();
    return new Map(rows.map((row) => [row.conversation_id, Number(row.max_id)]));
  }

  async readAfter(conversationId: string, afterId: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.#db
      .selectFrom('events')
      .select('body')
      .where('conversation_id', '=', conversationId)
      .where('id', '>', afterId)
      .orderBy('id', 'asc')
      .limit(limit)
      .execute();
    return rows.map((row) => JSON.parse(row.body) as StoredEvent);
  }

  async search(
    conversationId: string,
    input: EventSearchQuery,
  ): Promise<{ events: StoredEvent[]; has_more: boolean }> {
    const q = normalizeSearch(input);
    let query = this.#db
      .selectFrom('events')
      .select('body')
      .where('conversation_id', '=', conversationId)
      .where('id', '>=', q.startId);
    if (q.endId !== null) query = query.where('id', '<=', q.endId);
    if (q.includeTypes) query = query.where('type', 'in', q.includeTypes);
    if (q.excludeTypes) query = query.where('type', 'not in', q.excludeTypes);
    if (q.source) query = query.where('source', '=', q.source);
    if (q.startDate) query = query.where('timestamp', '>=', q.startDate);
    if (q.endDate) query = query.where('timestamp', '<=', q.endDate);
    if (q.excludeHidden) query = query.where('hidden', '=', 0);
    if (q.query) {
      const pattern = `%${q.query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where(sql<boolean>`lower(body) like ${pattern} escape ${'\\'}`);
    }
    const rows = await query
      .orderBy('id', q.reverse ? 'desc' : 'asc')
      .limit(q.limit + 1)
      .execute();
    const events = rows.slice(0, q.limit).map((row) => JSON.parse(row.body) as StoredEvent);
    return { events, has_more: rows.length > q.limit };
  }

  async deleteConversation(conversationId: string): Promise<void> {
    await this.#db.deleteFrom('events').where('conversation_id', '=', conversationId).execute();
  }
}

function toRow(conversationId: string, event: StoredEvent): EventRow {
  const record = event as unknown as Record<string, unknown>;
  const isAction = typeof record.action === 'string';
  const type = (isAction ? record.action : record.observation) as string;
  if (typeof type !== 'string')
    throw new DeftError('EVENT_INVALID', 'An event needs an action or observation type');
  const nested = (isAction ? record.args : record.extras) as Record<string, unknown> | undefined;
  const hidden = record.hidden === true || nested?.hidden === true;
  return {
    conversation_id: conversationId,
    id: event.id,
    kind: isAction ? 'action' : 'observation',
    type,
    source: (record.source as string | undefined) ?? null,
    timestamp: event.timestamp,
    hidden: hidden ? 1 : 0,
    body: JSON.stringify(event),
  };
}
