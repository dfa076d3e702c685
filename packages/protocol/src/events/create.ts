import { DeftError } from '../errors/index.js';
import { ACTION_ARGS, type ActionArgs, type ActionType, actionMessage } from './actions.js';
import type { EventEnvelope } from './envelope.js';
import {
  OBSERVATION_EXTRAS,
  type ObservationExtras,
  type ObservationType,
  observationMessage,
  observationSuccess,
} from './observations.js';
import type { ActionEvent, ObservationEvent } from './types.js';

/** Builds an action with the §3.2 defaults and top-level message; throws EVENT_INVALID on bad args. */
export function createAction<T extends ActionType>(
  type: T,
  args: Partial<ActionArgs<T>> = {},
  envelope: Partial<EventEnvelope> = {},
): ActionEvent<T> {
  const full = validated(ACTION_ARGS[type], args, `args of ${type}`) as ActionArgs<T>;
  return {
    ...envelope,
    message: envelope.message ?? actionMessage(type, full),
    action: type,
    args: full,
  } as ActionEvent<T>;
}

/** Builds an observation with the §3.3 defaults, message and (run / run_ipython) success. */
export function createObservation<T extends ObservationType>(
  type: T,
  content: string,
  extras: Partial<ObservationExtras<T>> = {},
  envelope: Partial<EventEnvelope> = {},
): ObservationEvent<T> {
  const full = validated(OBSERVATION_EXTRAS[type], extras, `extras of ${type}`) as ObservationExtras<T>;
  const event = {
    ...envelope,
    message: envelope.message ?? observationMessage(type, content, full),
    observation: type,
    content,
    extras: full,
  } as ObservationEvent<T>;
  const success = observationSuccess(type, full);
  if (success !== undefined) (event as { success?: boolean }).success = success;
  return event;
}

function validated(
  schema: {
    safeParse(value: unknown): {
      success: boolean;
      data?: unknown;
      error?: { issues: { path: PropertyKey[]; message: string }[] };
    };
  },
  value: unknown,
  what: string,
): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error!.issues[0]!;
  throw new DeftError(
    'EVENT_INVALID',
    `Malformed event: ${what}.${issue.path.map(String).join('.')}: ${issue.message}`,
  );
}
