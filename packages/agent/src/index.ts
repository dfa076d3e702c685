export type { Agent, AgentStep, StepContext } from './agent.js';
export * from './codeact/index.js';
export { type CondenserOptions, LlmSummarizingCondenser } from './condenser/llm-summarizer.js';
export * from './controller/index.js';
export { MessageHistory } from './history/message-history.js';
export * from './llm/index.js';
export * from './microagents/index.js';
export type * from './ports.js';
export { StuckDetector } from './stuck/stuck-detector.js';
