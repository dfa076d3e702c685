import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** The built web package: `packages/web/dist`, found from this file in `src/` (tests) or `dist/` (build). */
export function defaultWebDir(): string {
  return resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../web/dist');
}

const NOT_BUILT = `<!doctype html><html><head><meta charset="utf-8"><title>Deft</title></head>
<body style="font-family:system-ui;margin:3rem"><h1>Deft</h1>
<p>The web UI is not built. Run <code>npm run build</code> (or <code>npm start</code>), then reload.</p>
<p>The API is here: <a href="/docs">/docs</a>.</p></body></html>`;

/**
 * reference §1.1: the SPA is served at `/`, with `index.html` for unknown paths that are not API routes, so
 * client-side routes survive a reload. Without a build, `/` explains how to get one.
 */
export async function webUiRoutes(app: FastifyInstance, options: { webDir: string }): Promise<void> {
  const index = join(options.webDir, 'index.html');
  if (!existsSync(index)) {
    app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(NOT_BUILT));
    return;
  }
  await app.register(fastifyStatic, {
    root: options.webDir,
    prefix: '/',
    wildcard: false,
    index: 'index.html',
  });
  app.get('/*', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (isApiPath(path)) {
      return reply
        .status(404)
        .send({ code: 'NOT_FOUND', message: `Route ${request.method} ${path} not found` });
    }
    return reply.sendFile('index.html');
  });
}

function isApiPath(path: string): boolean {
  return /^\/(api|socket\.io|docs|metrics|health|alive|server_info|assets)(\/|$)/.test(path);
}
