import { DeftError, EventSource } from '@deft/protocol';

/** reference §1.3 GET /events: query parameters and the EventFilter fields. */
export interface EventSearchQuery {
  start_id?: number;
  /** inclusive */
  end_id?: number | null;
  reverse?: boolean;
  /** 1..100, default 20 */
  limit?: number;
  include_types?: string[] | null;
  exclude_types?: string[] | null;
  source?: EventSource | null;
  /** case-insensitive text searched in the event JSON */
  query?: string | null;
  /** ISO date or timestamp, inclusive */
  start_date?: string | null;
  /** ISO date or timestamp, inclusive */
  end_date?: string | null;
  exclude_hidden?: boolean;
}

export interface NormalizedSearch {
  startId: number;
  endId: number | null;
  reverse: boolean;
  limit: number;
  includeTypes: string[] | null;
  excludeTypes: string[] | null;
  source: EventSource | null;
  query: string | null;
  startDate: string | null;
  endDate: string | null;
  excludeHidden: boolean;
}

export const MAX_SEARCH_LIMIT = 100;

/** Validates a search; a limit outside 1..100 is EVENT_SEARCH_INVALID_LIMIT ("Invalid limit", 400). */
export function normalizeSearch(query: EventSearchQuery): NormalizedSearch {
  const limit = query.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT)
    throw new DeftError('EVENT_SEARCH_INVALID_LIMIT');
  const startId = query.start_id ?? 0;
  if (!Number.isInteger(startId) || startId < 0) throw invalid('start_id must be a non-negative integer');
  const endId = query.end_id ?? null;
  if (endId !== null && (!Number.isInteger(endId) || endId < 0))
    throw invalid('end_id must be a non-negative integer');
  if (query.source != null && !EventSource.safeParse(query.source).success)
    throw invalid('source must be agent, user or environment');
  return {
    startId,
    endId,
    reverse: query.reverse ?? false,
    limit,
    includeTypes: query.include_types?.length ? query.include_types : null,
    excludeTypes: query.exclude_types?.length ? query.exclude_types : null,
    source: query.source ?? null,
    query: query.query ? query.query : null,
    startDate: normalizeDate(query.start_date, 'start_date', 'start'),
    endDate: normalizeDate(query.end_date, 'end_date', 'end'),
    excludeHidden: query.exclude_hidden ?? false,
  };
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Timestamps are stored as ISO strings in UTC, so a normalized bound compares as text. */
function normalizeDate(value: string | null | undefined, name: string, edge: 'start' | 'end'): string | null {
  if (value == null || value === '') return null;
  const text = DATE_ONLY.test(value)
    ? `${value}T${edge === 'start' ? '00:00:00.000' : '23:59:59.999'}Z`
    : value;
  const parsed = new Date(text);
  if (Number.isNaN(parsed.getTime())) throw invalid(`${name} is not a valid ISO date`);
  return parsed.toISOString();
}

function invalid(message: string): DeftError {
  return new DeftError('EVENT_SEARCH_INVALID', message);
}
