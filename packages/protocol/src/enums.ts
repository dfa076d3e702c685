import { z } from 'zod';

/** reference §3.4 */
export const AgentState = z.enum([
  'loading',
  'running',
  'awaiting_user_input',
  'paused',
  'stopped',
  'finished',
  'rejected',
  'error',
  'awaiting_user_confirmation',
  'user_confirmed',
  'user_rejected',
  'rate_limited',
]);
export type AgentState = z.infer<typeof AgentState>;

/** reference §3.5 */
export const ConversationStatus = z.enum(['STARTING', 'RUNNING', 'STOPPED', 'ARCHIVED', 'ERROR']);
export type ConversationStatus = z.infer<typeof ConversationStatus>;

/** reference §3.5 */
export const RuntimeStatus = z.enum([
  'STATUS$STOPPED',
  'STATUS$BUILDING_RUNTIME',
  'STATUS$STARTING_RUNTIME',
  'STATUS$RUNTIME_STARTED',
  'STATUS$SETTING_UP_WORKSPACE',
  'STATUS$SETTING_UP_GIT_HOOKS',
  'STATUS$READY',
  'STATUS$ERROR',
  'STATUS$ERROR_RUNTIME_DISCONNECTED',
  'STATUS$ERROR_LLM_AUTHENTICATION',
  'STATUS$ERROR_LLM_SERVICE_UNAVAILABLE',
  'STATUS$ERROR_LLM_INTERNAL_SERVER_ERROR',
  'STATUS$ERROR_LLM_OUT_OF_CREDITS',
  'STATUS$ERROR_LLM_CONTENT_POLICY_VIOLATION',
  'CHAT_INTERFACE$AGENT_RATE_LIMITED_STOPPED_MESSAGE',
  'STATUS$GIT_PROVIDER_AUTHENTICATION_ERROR',
  'STATUS$LLM_RETRY',
  'STATUS$ERROR_MEMORY',
]);
export type RuntimeStatus = z.infer<typeof RuntimeStatus>;

/** Sandbox lifecycle (ARCHITECTURE.md, reference §6 SandboxInfo). */
export const SandboxStatus = z.enum(['STARTING', 'RUNNING', 'PAUSED', 'ERROR', 'MISSING']);
export type SandboxStatus = z.infer<typeof SandboxStatus>;
