export type { Agent, AgentStep, StepContext } from './agent.js';
export * from './llm/index.js';
export type * from './ports.js';
