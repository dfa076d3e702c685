export {
  ACTION_ARGS,
  ACTION_TYPES,
  type ActionArgs,
  type ActionType,
  actionMessage,
  isActionType,
} from './actions.js';
export { createAction, createObservation } from './create.js';
export {
  EventEnvelope,
  EventSource,
  LlmMetrics,
  SecurityRisk,
  SecurityRiskValue,
  TokenUsage,
  ToolCallMetadata,
} from './envelope.js';
export { upgradeLegacyKeys } from './legacy.js';
export {
  CmdOutputMetadata,
  isObservationType,
  OBSERVATION_EXTRAS,
  OBSERVATION_TYPES,
  type ObservationExtras,
  type ObservationType,
  observationMessage,
  observationSuccess,
} from './observations.js';
export { parseAction, parseEvent, parseObservation, safeParseEvent } from './parse.js';
export { serializeEvent } from './serialize.js';
export { type ActionEvent, type DeftEvent, isAction, isObservation, type ObservationEvent } from './types.js';
