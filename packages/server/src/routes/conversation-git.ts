import type { FastifyInstance } from 'fastify';
import type { ConversationManager } from '../conversations/conversation-manager.js';
import type { ConversationStore } from '../conversations/index.js';
import { acceptConversationId } from './conversation-id.js';

export interface ConversationGitRouteDeps {
  conversations: ConversationStore;
  manager: ConversationManager;
}

/**
 * reference §1.3 git/changes and git/diff: computed by git inside the conversation's sandbox (never on the
 * host: a repository's own configuration could run programs), against the origin's default branch.
 */
export async function conversationGitRoutes(
  app: FastifyInstance,
  deps: ConversationGitRouteDeps,
): Promise<void> {
  type Req = { Params: { id: string }; Querystring: { path?: string } };

  const runtimeFor = async (id: string) => {
    if (!(await deps.conversations.get(id))) return { missing: true as const };
    try {
      return { runtime: deps.manager.runtime(id) };
    } catch {
      return { runtime: null };
    }
  };

  app.get<Req>('/api/conversations/:id/git/changes', async (request, reply) => {
    if (!acceptConversationId(request.params.id, reply)) return reply;
    const found = await runtimeFor(request.params.id);
    if ('missing' in found)
      return reply.status(404).send({ detail: `Conversation ${request.params.id} not found` });
    if (!found.runtime) return reply.status(404).send({ error: 'Runtime not yet initialized' });
    try {
      const changes = await found.runtime.gitChanges();
      if (!changes) return reply.status(404).send({ error: 'Not a git repository' });
      return changes;
    } catch (error) {
      return reply.status(500).send({ error: `Error getting git changes: ${(error as Error).message}` });
    }
  });

  app.get<Req>('/api/conversations/:id/git/diff', async (request, reply) => {
    if (!acceptConversationId(request.params.id, reply)) return reply;
    const path = request.query.path;
    if (!path)
      return reply.status(422).send({ detail: [{ loc: ['query', 'path'], msg: 'path is required' }] });
    const found = await runtimeFor(request.params.id);
    if ('missing' in found)
      return reply.status(404).send({ detail: `Conversation ${request.params.id} not found` });
    if (!found.runtime) return reply.status(404).send({ error: 'Runtime not yet initialized' });
    try {
      const diff = await found.runtime.gitDiff(path);
      if (!diff) return reply.status(404).send({ error: 'Not a git repository' });
      return diff;
    } catch (error) {
      return reply.status(500).send({ error: `Error getting git diff: ${(error as Error).message}` });
    }
  });
}
