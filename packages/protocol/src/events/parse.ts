import type { z } from 'zod';
import { DeftError } from '../errors/index.js';
import { ACTION_ARGS, actionMessage, isActionType } from './actions.js';
import { EventEnvelope } from './envelope.js';
import { isRecord, upgradeLegacyKeys } from './legacy.js';
import {
  isObservationType,
  OBSERVATION_EXTRAS,
  observationMessage,
  observationSuccess,
} from './observations.js';
import type { ActionEvent, DeftEvent, ObservationEvent } from './types.js';

/**
 * Parses a V0 event dict (reference §3): fills defaults, accepts legacy keys, keeps unknown keys inside
 * args/extras. Throws DeftError EVENT_UNKNOWN_TYPE for a type it does not know and EVENT_INVALID (naming the
 * path) for anything malformed — never a raw validation error.
 */
export function parseEvent(input: unknown): DeftEvent {
  if (!isRecord(input)) throw invalid('an event must be a JSON object');
  const hasAction = 'action' in input;
  const hasObservation = 'observation' in input;
  if (hasAction === hasObservation)
    throw invalid('an event must have exactly one of "action" or "observation"');
  const event = upgradeLegacyKeys(input);
  return hasAction ? parseActionBody(event) : parseObservationBody(event);
}

export function safeParseEvent(
  input: unknown,
): { ok: true; event: DeftEvent } | { ok: false; error: DeftError } {
  try {
    return { ok: true, event: parseEvent(input) };
  } catch (error) {
    if (error instanceof DeftError) return { ok: false, error };
    return { ok: false, error: invalid((error as Error).message) };
  }
}

export function parseAction(input: unknown): ActionEvent {
  if (isRecord(input) && !('action' in input)) throw invalid('expected an action (an object with "action")');
  return parseEvent(input) as ActionEvent;
}

export function parseObservation(input: unknown): ObservationEvent {
  if (isRecord(input) && !('observation' in input))
    throw invalid('expected an observation (an object with "observation")');
  return parseEvent(input) as ObservationEvent;
}

function parseActionBody(event: Record<string, unknown>): ActionEvent {
  const { action, args: rawArgs, ...rest } = event;
  if (typeof action !== 'string') throw invalid('"action" must be a string', 'action');
  if (!isActionType(action))
    throw new DeftError('EVENT_UNKNOWN_TYPE', `Unknown action type: ${action}`, { details: { action } });
  const args = check(ACTION_ARGS[action], rawArgs ?? {}, 'args') as ActionEvent['args'];
  const envelope = parseEnvelope(rest, () => actionMessage(action, args as never));
  return { ...envelope, action, args } as ActionEvent;
}

function parseObservationBody(event: Record<string, unknown>): ObservationEvent {
  const { observation, content: rawContent, extras: rawExtras, success: rawSuccess, ...rest } = event;
  if (typeof observation !== 'string') throw invalid('"observation" must be a string', 'observation');
  if (!isObservationType(observation)) {
    throw new DeftError('EVENT_UNKNOWN_TYPE', `Unknown observation type: ${observation}`, {
      details: { observation },
    });
  }
  if (rawContent !== undefined && rawContent !== null && typeof rawContent !== 'string') {
    throw invalid('"content" must be a string', 'content');
  }
  const content = (rawContent as string | null | undefined) ?? '';
  const extras = check(
    OBSERVATION_EXTRAS[observation],
    rawExtras ?? {},
    'extras',
  ) as ObservationEvent['extras'];
  const envelope = parseEnvelope(rest, () => observationMessage(observation, content, extras as never));
  const parsed = { ...envelope, observation, content, extras } as ObservationEvent;
  if (typeof rawSuccess === 'boolean') parsed.success = rawSuccess;
  else {
    const success = observationSuccess(observation, extras as never);
    if (success !== undefined) parsed.success = success;
  }
  return parsed;
}

function parseEnvelope(rest: Record<string, unknown>, defaultMessage: () => string): EventEnvelope {
  const candidate = { ...rest };
  if (candidate.message === undefined || candidate.message === null) candidate.message = defaultMessage();
  for (const key of ['cause', 'timeout', 'tool_call_metadata', 'llm_metrics'] as const) {
    if (candidate[key] === null) delete candidate[key];
  }
  const envelope = check(EventEnvelope, candidate, '') as EventEnvelope;
  return envelope;
}

function check<S extends z.ZodType>(schema: S, value: unknown, at: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [at, ...issue.path.map(String)].filter(Boolean).join('.');
  throw invalid(issue.message, path || undefined);
}

function invalid(reason: string, path?: string): DeftError {
  return new DeftError(
    'EVENT_INVALID',
    path ? `Malformed event at ${path}: ${reason}` : `Malformed event: ${reason}`,
    {
      details: path ? { path } : undefined,
    },
  );
}
