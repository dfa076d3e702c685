import { type ConversationInfo, DeftError, UpdateConversationRequest } from '@deft/protocol';
import type { FastifyInstance } from 'fastify';
import {
  type ConversationMetadata,
  type ConversationStore,
  removeConversation,
} from '../conversations/index.js';
import type { EventLog } from '../events/index.js';
import { acceptConversationId } from './conversation-id.js';

export interface ConversationRouteDeps {
  conversations: ConversationStore;
  events: EventLog;
  /** where default workspaces live (they are removed with their conversation) */
  dataDir: string;
  /** stops a running conversation before it is deleted */
  onDelete?: (conversationId: string) => Promise<void>;
  /** the title-update message to the conversation's room (reference §1.3 PATCH) */
  onTitle?: (conversationId: string, title: string) => void;
  /** live status of running conversations; without it every conversation reads as STOPPED */
  liveStatus?: (conversationId: string) => {
    status: ConversationInfo['status'];
    runtimeStatus: ConversationInfo['runtime_status'];
  };
}

/**
 * reference §1.3 conversation management over the stores: list / get / patch / delete and the events search.
 * Starting and running conversations (the agent loop, Socket.IO) is the conversation manager's part.
 */
export async function conversationRoutes(app: FastifyInstance, deps: ConversationRouteDeps): Promise<void> {
  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/api/conversations',
    async (request, reply) => {
      const query = request.query;
      const limit = query.limit === undefined ? 20 : Number(query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100)
        return reply
          .status(422)
          .send({ detail: [{ loc: ['query', 'limit'], msg: 'limit must be between 1 and 100' }] });
      const page = await deps.conversations.list({
        limit,
        pageId: query.page_id || undefined,
        selectedRepository: query.selected_repository || undefined,
        trigger: (query.conversation_trigger || undefined) as never,
      });
      return {
        results: page.items.map((item) => toConversationInfo(item, deps.liveStatus?.(item.conversation_id))),
        next_page_id: page.next_page_id,
      };
    },
  );

  app.get<{ Params: { id: string } }>('/api/conversations/:id', async (request, reply) => {
    if (!acceptConversationId(request.params.id, reply)) return reply;
    const metadata = await deps.conversations.get(request.params.id);
    // reference §1.3: a missing conversation is a literal null with 200.
    return reply
      .type('application/json')
      .send(
        metadata
          ? JSON.stringify(toConversationInfo(metadata, deps.liveStatus?.(metadata.conversation_id)))
          : 'null',
      );
  });

  app.patch<{ Params: { id: string } }>('/api/conversations/:id', async (request, reply) => {
    if (!acceptConversationId(request.params.id, reply)) return reply;
    const parsed = UpdateConversationRequest.safeParse(request.body ?? {});
    if (!parsed.success)
      return reply.status(422).send({
        detail: parsed.error.issues.map((issue) => ({ loc: ['body', ...issue.path], msg: issue.message })),
      });
    if (!(await deps.conversations.get(request.params.id))) {
      return reply
        .status(404)
        .send({ status: 'error', message: 'Conversation not found', msg_id: 'CONVERSATION$NOT_FOUND' });
    }
    const title = parsed.data.title.trim();
    await deps.conversations.update(request.params.id, {
      title,
      last_updated_at: new Date().toISOString(),
    });
    deps.onTitle?.(request.params.id, title);
    return true;
  });

  app.delete<{ Params: { id: string } }>('/api/conversations/:id', async (request, reply) => {
    if (!acceptConversationId(request.params.id, reply)) return reply;
    await deps.onDelete?.(request.params.id);
    return removeConversation(deps, request.params.id);
  });

  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>(
    '/api/conversations/:id/events',
    async (request, reply) => {
      if (!acceptConversationId(request.params.id, reply)) return reply;
      if (!(await deps.conversations.get(request.params.id)))
        return reply.status(404).send({ detail: `Conversation ${request.params.id} not found` });
      const q = request.query;
      const number = (value: string | undefined) =>
        value === undefined || value === '' ? undefined : Number(value);
      try {
        return await deps.events.search(request.params.id, {
          start_id: number(q.start_id),
          end_id: number(q.end_id) ?? null,
          reverse: q.reverse === 'true' || q.reverse === '1',
          limit: number(q.limit),
          include_types: q.include_types ? q.include_types.split(',') : null,
          exclude_types: q.exclude_types ? q.exclude_types.split(',') : null,
          source: (q.source || null) as never,
          query: q.query || null,
          start_date: q.start_date || null,
          end_date: q.end_date || null,
          exclude_hidden: q.exclude_hidden === 'true',
        });
      } catch (error) {
        if (error instanceof DeftError && error.code === 'EVENT_SEARCH_INVALID_LIMIT')
          return reply.status(400).send({ detail: 'Invalid limit' });
        throw error;
      }
    },
  );
}

/** reference §1.2: a stored conversation with no live session is STOPPED with no runtime status and no url. */
export function toConversationInfo(
  metadata: ConversationMetadata,
  live: { status: ConversationInfo['status']; runtimeStatus: ConversationInfo['runtime_status'] } = {
    status: 'STOPPED',
    runtimeStatus: null,
  },
): ConversationInfo {
  const running = live.status === 'RUNNING' || live.status === 'STARTING';
  return {
    conversation_id: metadata.conversation_id,
    title: metadata.title,
    last_updated_at: metadata.last_updated_at,
    status: live.status,
    runtime_status: live.runtimeStatus,
    selected_repository: metadata.selected_repository,
    selected_branch: metadata.selected_branch,
    git_provider: metadata.git_provider,
    trigger: metadata.trigger,
    num_connections: 0,
    url: running ? `/api/conversations/${metadata.conversation_id}` : null,
    session_api_key: null,
    created_at: metadata.created_at,
    pr_number: metadata.pr_number,
    conversation_version: 'V0',
    sub_conversation_ids: [],
  };
}
