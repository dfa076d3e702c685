import type { DeftEvent } from '@deft/protocol';

/** An event as the log stores and returns it: the §3.1 wire dict with its id and timestamp assigned. */
export type StoredEvent = DeftEvent & { id: number; timestamp: string };
