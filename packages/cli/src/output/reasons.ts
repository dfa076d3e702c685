/** The V0 status ids the agent reports as a stop reason (reference §9.4), in words a person reads. */
const STATUS_TEXT: Record<string, string> = {
  STATUS$ERROR_LLM_AUTHENTICATION: 'the LLM provider refused the API key (check the LLM settings)',
  STATUS$ERROR_LLM_SERVICE_UNAVAILABLE: 'the LLM service is unavailable or did not answer in time',
  STATUS$ERROR_LLM_INTERNAL_SERVER_ERROR: 'the LLM service failed with an internal error',
  STATUS$ERROR_LLM_OUT_OF_CREDITS: 'the LLM account is out of credits',
  STATUS$ERROR_LLM_CONTENT_POLICY_VIOLATION: 'the LLM refused the request under its content policy',
  CHAT_INTERFACE$AGENT_RATE_LIMITED_STOPPED_MESSAGE: 'the LLM provider kept rate-limiting the agent',
  STATUS$ERROR: 'the agent failed',
};

export function readableReason(reason: string): string {
  return STATUS_TEXT[reason] ?? reason;
}
