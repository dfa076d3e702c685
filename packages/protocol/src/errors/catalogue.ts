/**
 * The one catalogue of Deft error codes. Every code has a fixed HTTP status and a default message;
 * callers may give a more specific message but never invent a code outside this table.
 */
export const ERRORS = {
  // generic
  INTERNAL: { status: 500, message: 'An unexpected error occurred. Please try again later.' },
  VALIDATION_FAILED: { status: 422, message: 'Invalid request parameters' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  UNAUTHORIZED: { status: 401, message: 'Unauthorized' },
  FORBIDDEN: { status: 403, message: 'Invalid API Key' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Request body is too large' },
  RATE_LIMITED: { status: 429, message: 'Too many requests' },
  // config
  CONFIG_INVALID: { status: 500, message: 'Invalid configuration' },
  CONFIG_FILE_UNREADABLE: { status: 500, message: 'Configuration file could not be read' },
  // events
  EVENT_INVALID: { status: 400, message: 'Malformed event' },
  EVENT_UNKNOWN_TYPE: { status: 400, message: 'Unknown event type' },
  EVENT_SEARCH_INVALID_LIMIT: { status: 400, message: 'Invalid limit' },
  EVENT_SEARCH_INVALID: { status: 400, message: 'Invalid event search parameters' },
  EVENT_NOT_FOUND: { status: 404, message: 'Event not found' },
  SUBSCRIBER_TOO_SLOW: {
    status: 503,
    message: 'Subscriber fell too far behind and was dropped; resubscribe with its cursor',
  },
  EVENT_LOG_CLOSED: { status: 503, message: 'The event log is closed' },
  // conversations
  CONVERSATION_NOT_FOUND: { status: 404, message: 'Conversation not found' },
  CONVERSATION_ID_INVALID: { status: 400, message: 'Invalid conversation id' },
  CONVERSATION_PAGE_ID_INVALID: { status: 400, message: 'Invalid page id' },
  CONVERSATION_NOT_RUNNING: { status: 409, message: 'Conversation is not running' },
  TOO_MANY_CONVERSATIONS: { status: 429, message: 'Too many conversations at once' },
  SETTINGS_NOT_FOUND: { status: 400, message: 'Settings not found' },
  // storage
  STORAGE_UNAVAILABLE: { status: 503, message: 'Storage is unavailable' },
  STORAGE_MIGRATION_FAILED: { status: 500, message: 'Database migration failed' },
  // sandbox / runtime
  SANDBOX_NOT_FOUND: { status: 404, message: 'Sandbox not found' },
  SANDBOX_START_FAILED: { status: 500, message: 'Sandbox failed to start' },
  SANDBOX_START_TIMEOUT: { status: 504, message: 'Sandbox did not become ready in time' },
  SANDBOX_UNAVAILABLE: { status: 503, message: 'Sandbox isolation is not available on this host' },
  SANDBOX_NOT_RUNNING: { status: 409, message: 'Sandbox is not running' },
  RUNTIME_UNREACHABLE: { status: 502, message: 'The sandbox runtime did not answer' },
  RUNTIME_TIMEOUT: { status: 504, message: 'The sandbox runtime timed out' },
  RUNTIME_BAD_ACTION: { status: 400, message: 'Invalid action type' },
  RUNTIME_BAD_REQUEST: { status: 400, message: 'Bad request' },
  PATH_OUTSIDE_WORKSPACE: { status: 400, message: 'Path is outside the workspace' },
  FILE_NOT_FOUND: { status: 404, message: 'File not found' },
  // agent / llm
  LLM_AUTHENTICATION: {
    status: 401,
    message: 'Error authenticating with the LLM provider. Please check your API key',
  },
  LLM_RATE_LIMITED: { status: 429, message: 'The LLM provider is rate limiting requests' },
  LLM_SERVICE_UNAVAILABLE: { status: 503, message: 'The LLM provider is unavailable' },
  LLM_INTERNAL_SERVER_ERROR: { status: 502, message: 'The LLM provider returned an internal error' },
  LLM_CONTEXT_WINDOW_EXCEEDED: {
    status: 400,
    message: 'The conversation no longer fits the model context window',
  },
  LLM_BAD_RESPONSE: { status: 502, message: 'The LLM returned a response that could not be used' },
  LLM_TIMEOUT: { status: 504, message: 'The LLM request timed out' },
  LLM_ABORTED: { status: 499, message: 'The LLM request was aborted' },
  LLM_MODEL_INVALID: { status: 400, message: 'Invalid model string; expected provider/model' },
  AGENT_STUCK: { status: 500, message: 'Agent got stuck in a loop' },
  AGENT_MAX_ITERATIONS: { status: 500, message: 'Agent reached maximum iteration' },
  AGENT_BUDGET_EXCEEDED: { status: 500, message: 'Agent reached maximum budget for conversation' },
  // secrets / settings
  SECRET_NOT_FOUND: { status: 404, message: 'Secret not found' },
  SECRET_EXISTS: { status: 400, message: 'Secret already exists' },
  SECRET_KEY_INVALID: { status: 500, message: 'The secret encryption key is invalid' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;
