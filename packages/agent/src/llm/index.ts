export type * from './client.js';
export { classifyLlmError, isRetryable } from './errors.js';
export { createLlmClient, type LlmSettings } from './llm-client.js';
export { MetricsAccumulator } from './metrics.js';
export { type ProviderKind, type ResolvedModel, resolveModel } from './model-string.js';
export { costOf, listKnownModels, type ModelPrice, priceOf } from './pricing.js';
