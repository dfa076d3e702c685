import { randomBytes } from 'node:crypto';
import {
  ConversationId,
  DeftError,
  defaultConversationTitle,
  InitSessionRequest,
  parseEvent,
  StartConversationRequest,
} from '@deft/protocol';
import type { FastifyInstance } from 'fastify';
import type { ConversationManager } from '../conversations/conversation-manager.js';
import type { ConversationStore } from '../conversations/index.js';
import { checkGitUrl, checkWorkspacePath } from '../conversations/workspace-source.js';
import type { SettingsStore } from '../secrets/settings-store.js';
import { acceptConversationId } from './conversation-id.js';

export interface LifecycleRouteDeps {
  conversations: ConversationStore;
  settings: SettingsStore;
  manager: ConversationManager;
  allowSetConversationId?: boolean;
}

/** reference §1.3: create, start, stop, message and POST events — the routes that drive the agent loop. */
export async function conversationLifecycleRoutes(
  app: FastifyInstance,
  deps: LifecycleRouteDeps,
): Promise<void> {
  app.post('/api/conversations', async (request, reply) => {
    const parsed = InitSessionRequest.safeParse(request.body ?? {});
    if (!parsed.success)
      return reply.status(422).send({
        detail: parsed.error.issues.map((issue) => ({ loc: ['body', ...issue.path], msg: issue.message })),
      });
    const body = parsed.data;
    const settings = await deps.settings.load();
    if (!settings)
      return reply
        .status(400)
        .send({ status: 'error', message: 'Settings not found', msg_id: 'CONFIGURATION$SETTINGS_NOT_FOUND' });
    const model = settings.llm_model ?? '';
    if (!settings.llm_api_key && !/^(bedrock|lemonade|ollama)\//.test(model) && !settings.llm_base_url) {
      return reply.status(400).send({
        status: 'error',
        message: 'Error authenticating with the LLM provider. Please check your API key',
        msg_id: 'STATUS$ERROR_LLM_AUTHENTICATION',
      });
    }
    const id =
      deps.allowSetConversationId && body.conversation_id
        ? body.conversation_id
        : randomBytes(16).toString('hex');
    if (!ConversationId.safeParse(id).success)
      return reply.status(400).send({ detail: 'Invalid conversation id' });
    let workspaceDir: string | null = null;
    let source = body.repository ?? null;
    try {
      if (body.workspace_path && body.git_url)
        throw new DeftError('VALIDATION_FAILED', 'Give either workspace_path or git_url, not both');
      if (body.workspace_path) workspaceDir = checkWorkspacePath(body.workspace_path);
      if (body.git_url) source = checkGitUrl(body.git_url);
    } catch (error) {
      return reply
        .status(400)
        .send({ status: 'error', message: (error as Error).message, msg_id: 'VALIDATION_FAILED' });
    }
    await deps.conversations.create({
      conversation_id: id,
      title: defaultConversationTitle(id),
      workspace_dir: workspaceDir,
      trigger: body.suggested_task
        ? 'suggested_task'
        : body.create_microagent
          ? 'microagent_management'
          : 'gui',
      selected_repository: source,
      selected_branch: body.selected_branch ?? null,
      git_provider: body.git_provider ?? null,
      llm_model: settings.llm_model,
    });
    try {
      const status = await deps.manager.start(id, { initialMessage: body.initial_user_msg ?? undefined });
      return { status: 'ok', conversation_id: id, message: null, conversation_status: status };
    } catch (error) {
      if (!(error instanceof DeftError && error.code === 'TOO_MANY_CONVERSATIONS')) throw error;
      // The conversation exists and starts on the next message or connect, once a running one is idle.
      return reply.status(429).send({
        status: 'error',
        conversation_id: id,
        message: error.message,
        msg_id: 'AGENT_ERROR$TOO_MANY_CONVERSATIONS',
        conversation_status: 'STOPPED',
      });
    }
  });

  app.post<{ Params: { id: string } }>('/api/conversations/:id/start', async (request, reply) => {
    if (!acceptConversationId(request.params.id, reply)) return reply;
    StartConversationRequest.safeParse(request.body ?? {});
    if (!(await deps.conversations.get(request.params.id)))
      return reply.status(404).send({ status: 'error', conversation_id: request.params.id });
    try {
      const status = await deps.manager.start(request.params.id);
      return { status: 'ok', conversation_id: request.params.id, conversation_status: status };
    } catch (error) {
      const message = error instanceof DeftError ? error.message : (error as Error).message;
      if (error instanceof DeftError && error.code === 'TOO_MANY_CONVERSATIONS')
        return reply.status(429).send({
          status: 'error',
          conversation_id: request.params.id,
          message,
          msg_id: 'AGENT_ERROR$TOO_MANY_CONVERSATIONS',
        });
      return reply.status(500).send({
        status: 'error',
        conversation_id: request.params.id,
        message: `Failed to start conversation: ${message}`,
      });
    }
  });

  app.post<{ Params: { id: string } }>('/api/conversations/:id/stop', async (request, reply) => {
    if (!acceptConversationId(request.params.id, reply)) return reply;
    const { status } = deps.manager.status(request.params.id);
    if (status !== 'STARTING' && status !== 'RUNNING') {
      return {
        status: 'ok',
        conversation_id: request.params.id,
        message: 'Conversation was not running',
        conversation_status: 'STOPPED',
      };
    }
    const before = await deps.manager.stop(request.params.id);
    return {
      status: 'ok',
      conversation_id: request.params.id,
      message: 'Conversation stopped successfully',
      conversation_status: before,
    };
  });

  app.post<{ Params: { id: string } }>('/api/conversations/:id/message', async (request, reply) => {
    if (!acceptConversationId(request.params.id, reply)) return reply;
    const text = (request.body as { message?: unknown } | undefined)?.message;
    if (typeof text !== 'string')
      return reply.status(422).send({ detail: [{ loc: ['body', 'message'], msg: 'message is required' }] });
    try {
      await deps.manager.submit(request.params.id, {
        ...parseEvent({ action: 'message', args: { content: text } }),
        source: 'user',
      });
      return { success: true };
    } catch (error) {
      return reply.status(500).send({ success: false, error: (error as Error).message });
    }
  });

  app.post<{ Params: { id: string } }>('/api/conversations/:id/events', async (request, reply) => {
    if (!acceptConversationId(request.params.id, reply)) return reply;
    let event: ReturnType<typeof parseEvent>;
    try {
      event = parseEvent(request.body);
    } catch (error) {
      return reply.status(400).send({ detail: (error as Error).message });
    }
    try {
      await deps.manager.submit(request.params.id, { ...event, source: 'user' });
      return { success: true };
    } catch (error) {
      return reply.status(500).send({ success: false, error: (error as Error).message });
    }
  });
}
