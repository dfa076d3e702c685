// The JSON shapes the web UI reads (reference §1.3 and §3). Deliberately loose: the server is the source of
// truth and fields are read defensively.

export type AgentState =
  | 'loading'
  | 'init'
  | 'running'
  | 'awaiting_user_input'
  | 'awaiting_user_confirmation'
  | 'user_confirmed'
  | 'user_rejected'
  | 'paused'
  | 'stopped'
  | 'finished'
  | 'rejected'
  | 'error'
  | 'rate_limited';

export interface ConversationInfo {
  conversation_id: string;
  title: string;
  created_at: string;
  last_updated_at: string | null;
  status: 'STARTING' | 'RUNNING' | 'STOPPED' | 'ARCHIVED' | 'ERROR';
  runtime_status: string | null;
  selected_repository: string | null;
}

export interface ConversationPage {
  results: ConversationInfo[];
  next_page_id: string | null;
}

export interface Settings {
  llm_model: string | null;
  llm_base_url: string | null;
  llm_api_key_set: boolean;
  max_iterations: number | null;
  max_budget_per_task: number | null;
  confirmation_mode: boolean;
  [key: string]: unknown;
}

export interface SecretInfo {
  name: string;
  description?: string | null;
}

/** A stored event (action or observation) as the streams and GET /events deliver it. */
export interface DeftEvent {
  id: number;
  timestamp: string;
  source: 'user' | 'agent' | 'environment';
  message?: string;
  cause?: number;
  action?: string;
  args?: Record<string, unknown>;
  observation?: string;
  content?: string;
  extras?: Record<string, unknown>;
  llm_metrics?: {
    accumulated_cost?: number;
    accumulated_token_usage?: { prompt_tokens?: number; completion_tokens?: number };
  } | null;
}
