import type { ActionArgs, ActionType } from './actions.js';
import type { EventEnvelope } from './envelope.js';
import type { ObservationExtras, ObservationType } from './observations.js';

/** An action event (reference §3.2); with a union T it is the union of the matching action events. */
export type ActionEvent<T extends ActionType = ActionType> = T extends ActionType
  ? EventEnvelope & { action: T; args: ActionArgs<T> }
  : never;

/** An observation event (reference §3.3); `success` only on run / run_ipython. */
export type ObservationEvent<T extends ObservationType = ObservationType> = T extends ObservationType
  ? EventEnvelope & { observation: T; content: string; extras: ObservationExtras<T>; success?: boolean }
  : never;

export type DeftEvent = ActionEvent | ObservationEvent;

export function isAction(event: DeftEvent): event is ActionEvent {
  return 'action' in event;
}

export function isObservation(event: DeftEvent): event is ObservationEvent {
  return 'observation' in event;
}
