import { z } from 'zod';

/** reference §3.1: who produced an event. */
export const EventSource = z.enum(['agent', 'user', 'environment']);
export type EventSource = z.infer<typeof EventSource>;

/** reference §3.1: security_risk is serialized as an int. */
export const SecurityRisk = { UNKNOWN: -1, LOW: 0, MEDIUM: 1, HIGH: 2 } as const;
export const SecurityRiskValue = z.number().int().min(-1).max(2);

/** reference §3.1 tool_call_metadata; the observation copies its action's. */
export const ToolCallMetadata = z.looseObject({
  function_name: z.string(),
  tool_call_id: z.string(),
  model_response: z.record(z.string(), z.unknown()).nullable().optional(),
  total_calls_in_response: z.number().int(),
});
export type ToolCallMetadata = z.infer<typeof ToolCallMetadata>;

export const TokenUsage = z.looseObject({
  model: z.string().default(''),
  prompt_tokens: z.number().default(0),
  completion_tokens: z.number().default(0),
  cache_read_tokens: z.number().default(0),
  cache_write_tokens: z.number().default(0),
  context_window: z.number().default(0),
  per_turn_token: z.number().default(0),
  response_id: z.string().default(''),
});
export type TokenUsage = z.infer<typeof TokenUsage>;

/** reference §3.1 llm_metrics (openhands/llm/metrics.py), attached to each agent action. */
export const LlmMetrics = z.looseObject({
  accumulated_cost: z.number().default(0),
  max_budget_per_task: z.number().nullable().default(null),
  accumulated_token_usage: TokenUsage.prefault({}),
  costs: z.array(z.looseObject({})).default([]),
  response_latencies: z.array(z.looseObject({})).default([]),
  token_usages: z.array(z.looseObject({})).default([]),
});
export type LlmMetrics = z.infer<typeof LlmMetrics>;

/** reference §3.1: the keys every event may carry at the top level besides its type, args/content/extras. */
export const EventEnvelope = z.object({
  id: z.number().int().min(-1).optional(),
  timestamp: z.string().optional(),
  source: EventSource.optional(),
  message: z.string(),
  cause: z.number().int().nullable().optional(),
  timeout: z.number().nullable().optional(),
  tool_call_metadata: ToolCallMetadata.nullable().optional(),
  llm_metrics: LlmMetrics.nullable().optional(),
  hidden: z.boolean().optional(),
  security_risk: SecurityRiskValue.optional(),
});
export type EventEnvelope = z.infer<typeof EventEnvelope>;
