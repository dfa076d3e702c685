import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { DeftConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import { handleError } from './errors.js';
import { healthRoutes } from './health.js';

export interface AppDependencies {
  config: DeftConfig;
  logger: Logger;
}

/** Builds the HTTP application without listening, so tests can inject or listen on a random port. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.server.body_limit_bytes,
    forceCloseConnections: true,
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      code: 'NOT_FOUND',
      message: `Route ${request.method} ${request.url} not found`,
      detail: 'Not Found',
    });
  });
  await app.register(healthRoutes, { dataDir: deps.config.data_dir, startedAt: Date.now() });
  return app;
}
