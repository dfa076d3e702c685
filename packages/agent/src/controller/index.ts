export { AgentController, type AgentControllerOptions, type RecallHandler } from './agent-controller.js';
export { type ControllerConfig, DEFAULT_CONTROLLER_CONFIG, type LlmRetryPolicy } from './config.js';
