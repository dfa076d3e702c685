export type { Agent, AgentStep, StepContext } from './agent.js';
export type * from './llm/client.js';
export type * from './ports.js';
