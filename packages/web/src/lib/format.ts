export function formatCost(usd: number): string {
  return usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4)}`;
}

export function formatTokens(count: number): string {
  return count >= 10_000 ? `${(count / 1000).toFixed(1)}k` : String(count);
}

export function formatWhen(iso: string): string {
  const date = new Date(iso);
  const today = new Date();
  return date.toDateString() === today.toDateString()
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString([], { month: 'short', day: 'numeric' });
}

/** Agent states in words for the status chip. */
export const AGENT_STATE_LABEL: Record<string, string> = {
  loading: 'Starting',
  init: 'Ready',
  running: 'Working',
  awaiting_user_input: 'Waiting for you',
  awaiting_user_confirmation: 'Needs confirmation',
  user_confirmed: 'Confirmed',
  user_rejected: 'Rejected',
  paused: 'Paused',
  stopped: 'Stopped',
  finished: 'Finished',
  rejected: 'Rejected',
  error: 'Error',
  rate_limited: 'Rate limited',
};

/** V0 status ids in words (reference §9.4). */
export function readableReason(reason: string): string {
  const text: Record<string, string> = {
    STATUS$ERROR_LLM_AUTHENTICATION: 'The LLM provider refused the API key. Check the LLM settings.',
    STATUS$ERROR_LLM_SERVICE_UNAVAILABLE: 'The LLM service is unavailable or did not answer in time.',
    STATUS$ERROR_LLM_INTERNAL_SERVER_ERROR: 'The LLM service failed with an internal error.',
    STATUS$ERROR_LLM_OUT_OF_CREDITS: 'The LLM account is out of credits.',
    CHAT_INTERFACE$AGENT_RATE_LIMITED_STOPPED_MESSAGE: 'The LLM provider kept rate-limiting the agent.',
  };
  return text[reason] ?? reason;
}
