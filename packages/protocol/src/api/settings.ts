import { z } from 'zod';

/** reference §1.3 settings: the MCP configuration object. */
export const McpConfig = z.object({
  sse_servers: z.array(z.unknown()),
  stdio_servers: z.array(z.unknown()),
  shttp_servers: z.array(z.unknown()),
});

/**
 * reference §1.3 / Appendix A settings.json fields. Stored server-side with secrets encrypted; GET returns
 * them with secrets blanked plus the `_set` flags (SettingsResponse).
 */
export const Settings = z.object({
  language: z.string(),
  agent: z.string(),
  max_iterations: z.number().int().positive().nullable(),
  security_analyzer: z.string().nullable(),
  confirmation_mode: z.boolean(),
  llm_model: z.string().nullable(),
  llm_api_key: z.string().nullable(),
  llm_base_url: z.string().nullable(),
  remote_runtime_resource_factor: z.number().nullable(),
  secrets_store: z.object({ provider_tokens: z.record(z.string(), z.unknown()) }),
  enable_default_condenser: z.boolean(),
  enable_sound_notifications: z.boolean(),
  enable_proactive_conversation_starters: z.boolean(),
  enable_solvability_analysis: z.boolean(),
  user_consents_to_analytics: z.boolean().nullable(),
  sandbox_base_container_image: z.string().nullable(),
  sandbox_runtime_container_image: z.string().nullable(),
  mcp_config: McpConfig.nullable(),
  search_api_key: z.string().nullable(),
  sandbox_api_key: z.string().nullable(),
  max_budget_per_task: z.number().positive().nullable(),
  condenser_max_size: z.number().int().min(20).nullable(),
  email: z.string().nullable(),
  email_verified: z.boolean().nullable(),
  git_user_name: z.string().nullable(),
  git_user_email: z.string().nullable(),
  v1_enabled: z.boolean().nullable(),
});
export type Settings = z.infer<typeof Settings>;

/** Appendix A: the values a fresh settings.json starts from. */
export const SETTINGS_DEFAULTS: Settings = {
  language: 'en',
  agent: 'CodeActAgent',
  max_iterations: null,
  security_analyzer: 'llm',
  confirmation_mode: false,
  llm_model: null,
  llm_api_key: null,
  llm_base_url: '',
  remote_runtime_resource_factor: 1,
  secrets_store: { provider_tokens: {} },
  enable_default_condenser: true,
  enable_sound_notifications: false,
  enable_proactive_conversation_starters: true,
  enable_solvability_analysis: true,
  user_consents_to_analytics: false,
  sandbox_base_container_image: null,
  sandbox_runtime_container_image: null,
  mcp_config: null,
  search_api_key: null,
  sandbox_api_key: null,
  max_budget_per_task: null,
  condenser_max_size: 120,
  email: null,
  email_verified: null,
  git_user_name: 'openhands',
  git_user_email: 'openhands@all-hands.dev',
  v1_enabled: null,
};

/**
 * reference §1.3 POST /api/settings: a partial Settings object; unknown keys (e.g. provider_tokens_set) are
 * ignored; `condenser_max_size` < 20 → 422.
 */
export const SettingsUpdate = Settings.partial().strip();
export type SettingsUpdate = z.infer<typeof SettingsUpdate>;

/** Keys that keep their stored value when a POST sends null (reference §1.3). */
export const SETTINGS_KEEP_WHEN_NULL = [
  'llm_api_key',
  'llm_model',
  'llm_base_url',
  'search_api_key',
  'user_consents_to_analytics',
] as const satisfies readonly (keyof Settings)[];

/** reference §1.3 GET /api/settings: secrets blanked plus the `_set` flags. */
export type SettingsResponse = Omit<Settings, 'llm_api_key' | 'search_api_key' | 'sandbox_api_key'> & {
  llm_api_key: null;
  search_api_key: null;
  sandbox_api_key: null;
  llm_api_key_set: boolean;
  search_api_key_set: boolean;
  provider_tokens_set: Record<string, string | null>;
};

/** reference §1.3 secrets routes. */
export const SecretCreateRequest = z.object({
  name: z.string().min(1).max(200),
  value: z.string(),
  description: z.string().nullable().optional(),
});
export const SecretUpdateRequest = z.object({
  name: z.string().min(1).max(200),
  description: z.string().nullable().optional(),
});
