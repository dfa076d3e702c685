export interface LlmRetryPolicy {
  /** attempts after the first failure (reference: num_retries 5) */
  retries: number;
  minWaitMs: number;
  maxWaitMs: number;
  multiplier: number;
}

export interface ControllerConfig {
  /** reference §9.2: default 500 */
  maxIterations: number;
  maxBudgetPerTask: number | null;
  /** off, only HIGH-risk actions, or every runnable action */
  confirmationMode: 'off' | 'high' | 'all';
  llmRetry: LlmRetryPolicy;
  stuckDetection: boolean;
}

export const DEFAULT_CONTROLLER_CONFIG: ControllerConfig = {
  maxIterations: 500,
  maxBudgetPerTask: null,
  confirmationMode: 'off',
  llmRetry: { retries: 5, minWaitMs: 8_000, maxWaitMs: 64_000, multiplier: 2 },
  stuckDetection: true,
};

/** Actions that go to the sandbox (and may need confirmation, reference §3.4). */
export const RUNNABLE_ACTIONS = new Set([
  'run',
  'run_ipython',
  'read',
  'write',
  'edit',
  'browse',
  'browse_interactive',
]);
export const CONFIRMABLE_ACTIONS = new Set(['run', 'run_ipython', 'browse_interactive', 'edit', 'read']);

/** Exponential backoff, or the server's Retry-After when it gave one. */
export function retryDelay(policy: LlmRetryPolicy, attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, policy.maxWaitMs);
  return Math.min(policy.maxWaitMs, policy.minWaitMs * policy.multiplier ** (attempt - 1));
}

/** reference §9.4: LLM error code → the status id shown to clients. */
export const LLM_ERROR_STATUS: Record<string, string> = {
  LLM_AUTHENTICATION: 'STATUS$ERROR_LLM_AUTHENTICATION',
  LLM_SERVICE_UNAVAILABLE: 'STATUS$ERROR_LLM_SERVICE_UNAVAILABLE',
  LLM_INTERNAL_SERVER_ERROR: 'STATUS$ERROR_LLM_INTERNAL_SERVER_ERROR',
  LLM_RATE_LIMITED: 'CHAT_INTERFACE$AGENT_RATE_LIMITED_STOPPED_MESSAGE',
  LLM_TIMEOUT: 'STATUS$ERROR_LLM_SERVICE_UNAVAILABLE',
};
