import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface HttpPolicyOptions {
  /** comma-separated origins; empty = any http(s) origin on localhost or 127.0.0.1 (reference §1.1) */
  permittedCorsOrigins: string;
  /** requests per client address per second before slowing down; twice that is refused (0 = off) */
  rateLimitPerSecond: number;
}

const LOCAL_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/;

/**
 * reference §1.1 middleware: CORS (credentials allowed for permitted origins), cache headers (`/assets`
 * immutable, everything else uncacheable) and the per-address rate limit — above the limit a request waits
 * one second, above twice the limit it gets 429 with Retry-After. Assets are exempt from the limit.
 */
export function applyHttpPolicy(app: FastifyInstance, options: HttpPolicyOptions): void {
  const permitted = options.permittedCorsOrigins
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  const allows = (origin: string) =>
    permitted.length ? permitted.includes(origin) : LOCAL_ORIGIN.test(origin);
  const windows = new Map<string, { startedAt: number; count: number }>();
  const limit = options.rateLimitPerSecond;

  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin && allows(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
      reply.header('vary', 'Origin');
      if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
        reply.header('access-control-allow-methods', 'GET,POST,PUT,PATCH,DELETE,OPTIONS');
        reply.header(
          'access-control-allow-headers',
          request.headers['access-control-request-headers'] ?? 'content-type,x-session-api-key',
        );
        reply.header('access-control-max-age', '600');
        return reply.status(204).send();
      }
    }
    const path = pathOf(request);
    if (path.startsWith('/assets')) {
      reply.header('cache-control', 'public, max-age=2592000, immutable');
      return;
    }
    reply.header('cache-control', 'no-cache, no-store, must-revalidate, max-age=0');
    reply.header('pragma', 'no-cache');
    reply.header('expires', '0');
    if (limit <= 0) return;
    const now = Date.now();
    const key = request.ip;
    let window = windows.get(key);
    if (!window || now - window.startedAt >= 1000) {
      window = { startedAt: now, count: 0 };
      windows.set(key, window);
      if (windows.size > 10_000) pruneWindows(windows, now);
    }
    window.count += 1;
    if (window.count > limit * 2) {
      return reply.status(429).header('retry-after', '1').send({ message: 'Too many requests' });
    }
    if (window.count > limit) await new Promise((resolve) => setTimeout(resolve, 1000));
  });
}

function pathOf(request: FastifyRequest): string {
  const url = request.url;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function pruneWindows(windows: Map<string, { startedAt: number }>, now: number): void {
  for (const [key, window] of windows) if (now - window.startedAt >= 1000) windows.delete(key);
}
