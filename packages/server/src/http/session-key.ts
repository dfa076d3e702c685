import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/**
 * reference §1.1: with a session API key configured, every /api route needs header X-Session-API-Key equal to
 * it (compared in constant time), else 401 {"detail":"Unauthorized"}. Health routes stay open.
 */
export function requireSessionKey(app: FastifyInstance, key: string): void {
  if (!key) return;
  const expected = createHash('sha256').update(key).digest();
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/') && request.url !== '/api') return;
    const offered = request.headers['x-session-api-key'];
    const value = Array.isArray(offered) ? offered[0] : offered;
    const matches =
      value !== undefined && timingSafeEqual(createHash('sha256').update(value).digest(), expected);
    if (!matches) return reply.status(401).send({ detail: 'Unauthorized' });
  });
}
