import type { FastifyInstance } from 'fastify';

/**
 * reference §1.3 / §10: what the stock frontend probes and an OSS single-user server answers locally —
 * V1 batch lookups as arrays of nulls, and the git-provider user routes as 401 without provider tokens.
 */
export async function compatibilityRoutes(app: FastifyInstance): Promise<void> {
  const nulls = (value: string | string[] | undefined) =>
    (Array.isArray(value) ? value : value ? value.split(',') : []).map(() => null);
  app.get<{ Querystring: { ids?: string | string[] } }>('/api/v1/app-conversations', async (request) =>
    nulls(request.query.ids),
  );
  app.get<{ Querystring: { id?: string | string[] } }>('/api/v1/sandboxes', async (request) =>
    nulls(request.query.id),
  );
  app.get('/api/v1/app-conversations/start-tasks/search', async () => ({ items: [], next_page_id: null }));
  app.get('/api/user/*', async (_request, reply) =>
    reply
      .status(401)
      .type('application/json')
      .send(JSON.stringify('Git provider token required. (such as GitHub).')),
  );
  app.post('/api/unset-provider-tokens', async () => ({ message: 'Unset Git provider tokens' }));
}
