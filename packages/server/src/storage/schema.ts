/** Kysely table types; the migrations in ./migrations create exactly these. */
export interface Database {
  events: EventRow;
  conversations: ConversationRow;
  settings: SettingsRow;
  secrets: SecretRow;
}

export interface SettingsRow {
  user_key: string;
  /** the settings JSON, with llm_api_key / search_api_key / sandbox_api_key / provider tokens encrypted */
  body: string;
  updated_at: string;
}

export interface SecretRow {
  user_key: string;
  name: string;
  /** encrypted */
  value: string;
  description: string | null;
  created_at: string;
}

export interface EventRow {
  conversation_id: string;
  id: number;
  /** 'action' | 'observation' */
  kind: string;
  /** the action or observation type string */
  type: string;
  source: string | null;
  timestamp: string;
  /** 1 when the event is hidden (top-level, args or extras `hidden`), else 0 */
  hidden: number;
  /** the serialized event dict (reference §3.1), JSON text */
  body: string;
}

export interface ConversationRow {
  conversation_id: string;
  title: string | null;
  created_at: string;
  last_updated_at: string | null;
  trigger: string | null;
  selected_repository: string | null;
  selected_branch: string | null;
  git_provider: string | null;
  user_id: string | null;
  llm_model: string | null;
  accumulated_cost: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  sandbox_id: string | null;
  /** JSON array of ints */
  pr_number: string;
  /** 'running' | 'paused' | 'stopped': where the agent loop should be (recovered after a restart) */
  loop_state: string;
  /** the host folder mounted as /workspace; null = data_dir/workspaces/<id> */
  workspace_dir: string | null;
}
