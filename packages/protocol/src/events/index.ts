// Placeholder surface; the protocol work replaces this file with the full schemas (see packages/protocol/README.md).
export type EventSource = 'agent' | 'user' | 'environment';

export interface EventEnvelope {
  id?: number;
  timestamp?: string;
  source?: EventSource;
  message: string;
  cause?: number;
  timeout?: number;
  tool_call_metadata?: Record<string, unknown>;
  llm_metrics?: Record<string, unknown>;
}
export interface ActionEvent<T extends string = string> extends EventEnvelope {
  action: T;
  args: Record<string, unknown>;
}
export interface ObservationEvent<T extends string = string> extends EventEnvelope {
  observation: T;
  content: string;
  extras: Record<string, unknown>;
  success?: boolean;
}
export type DeftEvent = ActionEvent | ObservationEvent;
