import { z } from 'zod';
import { ConversationStatus, RuntimeStatus } from '../enums.js';

/** reference §1.2: 32 lowercase hex, uuid4().hex. */
export const ConversationId = z
  .string()
  .regex(/^[0-9a-f]{32}$/, 'conversation_id must be 32 lowercase hex characters');

/** reference §1.2 `trigger` values. */
export const ConversationTrigger = z.enum([
  'resolver',
  'gui',
  'suggested_task',
  'openhands_api',
  'slack',
  'microagent_management',
  'jira',
  'jira_dc',
  'linear',
  'bitbucket',
]);
export type ConversationTrigger = z.infer<typeof ConversationTrigger>;

/** reference §1.2 `git_provider` values. */
export const GitProvider = z.enum(['github', 'gitlab', 'bitbucket', 'azure_devops', 'enterprise_sso']);
export type GitProvider = z.infer<typeof GitProvider>;

/** reference §1.2 ConversationInfo — what the frontend calls `Conversation`. */
export const ConversationInfo = z.object({
  conversation_id: z.string(),
  title: z.string(),
  last_updated_at: z.string().nullable(),
  status: ConversationStatus,
  runtime_status: RuntimeStatus.nullable(),
  selected_repository: z.string().nullable(),
  selected_branch: z.string().nullable(),
  git_provider: GitProvider.nullable(),
  trigger: ConversationTrigger.nullable(),
  num_connections: z.number().int(),
  url: z.string().nullable(),
  session_api_key: z.string().nullable(),
  created_at: z.string(),
  pr_number: z.array(z.number().int()),
  conversation_version: z.literal('V0'),
  sub_conversation_ids: z.array(z.string()),
});
export type ConversationInfo = z.infer<typeof ConversationInfo>;

/** reference §1.2 ConversationInfoResultSet. */
export const ConversationInfoResultSet = z.object({
  results: z.array(ConversationInfo),
  next_page_id: z.string().nullable(),
});
export type ConversationInfoResultSet = z.infer<typeof ConversationInfoResultSet>;

/** reference §1.2 ConversationResponse (create / start / stop). */
export const ConversationResponse = z.object({
  status: z.enum(['ok', 'error']),
  conversation_id: z.string(),
  message: z.string().nullable().optional(),
  conversation_status: ConversationStatus.nullable().optional(),
});
export type ConversationResponse = z.infer<typeof ConversationResponse>;

/** reference §1.3 POST /api/conversations body (extra keys forbidden → 422). */
export const InitSessionRequest = z
  .object({
    repository: z.string().nullable().optional(),
    git_provider: GitProvider.nullable().optional(),
    selected_branch: z.string().nullable().optional(),
    initial_user_msg: z.string().nullable().optional(),
    image_urls: z.array(z.string()).nullable().optional(),
    replay_json: z.string().nullable().optional(),
    suggested_task: z
      .object({
        git_provider: GitProvider,
        task_type: z.string(),
        repo: z.string(),
        issue_number: z.number().int(),
        title: z.string(),
      })
      .nullable()
      .optional(),
    create_microagent: z
      .object({
        repo: z.string(),
        git_provider: GitProvider.nullable().optional(),
        title: z.string().nullable().optional(),
      })
      .nullable()
      .optional(),
    conversation_instructions: z.string().nullable().optional(),
    mcp_config: z.record(z.string(), z.unknown()).nullable().optional(),
    conversation_id: z.string().optional(),
    /** Deft extension: an absolute folder on the server's machine used as the sandbox's /workspace */
    workspace_path: z.string().min(1).nullable().optional(),
    /** Deft extension: a git URL cloned into the conversation's workspace before the agent starts */
    git_url: z.string().min(1).nullable().optional(),
  })
  .strict();
export type InitSessionRequest = z.infer<typeof InitSessionRequest>;

/** reference §1.3 PATCH /api/conversations/{id}: title 1..200 characters, extra keys forbidden. */
export const UpdateConversationRequest = z.object({ title: z.string().trim().min(1).max(200) }).strict();

/** reference §1.3 POST /api/conversations/{id}/start. */
export const StartConversationRequest = z.object({
  providers_set: z.array(GitProvider).nullable().optional(),
});

/** reference §1.3 GET /api/conversations query. */
export const ListConversationsQuery = z.object({
  page_id: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  selected_repository: z.string().optional(),
  conversation_trigger: ConversationTrigger.optional(),
  include_sub_conversations: z.coerce.boolean().optional(),
});

/** reference §5.3 metadata.json / Appendix A. */
export const ConversationMetadataJson = z.object({
  conversation_id: z.string(),
  selected_repository: z.string().nullable(),
  user_id: z.string().nullable(),
  selected_branch: z.string().nullable(),
  git_provider: GitProvider.nullable(),
  title: z.string().nullable(),
  last_updated_at: z.string().nullable(),
  trigger: ConversationTrigger.nullable(),
  pr_number: z.array(z.number().int()),
  created_at: z.string(),
  llm_model: z.string().nullable(),
  accumulated_cost: z.number(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
  sandbox_id: z.string().nullable(),
  conversation_version: z.string().nullable(),
});
export type ConversationMetadataJson = z.infer<typeof ConversationMetadataJson>;

/** reference §1.2: the default title is `Conversation <first 5 chars of id>`. */
export function defaultConversationTitle(conversationId: string): string {
  return `Conversation ${conversationId.slice(0, 5)}`;
}
