import { DeftError } from '@deft/protocol';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { DeftConfig } from '../config/index.js';
import type { ConversationManager } from '../conversations/conversation-manager.js';
import type { ConversationStore } from '../conversations/index.js';
import type { EventLog } from '../events/index.js';
import type { Logger } from '../logging/logger.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import { compatibilityRoutes } from '../routes/compat.js';
import { conversationFileRoutes } from '../routes/conversation-files.js';
import { conversationGitRoutes } from '../routes/conversation-git.js';
import { conversationLifecycleRoutes } from '../routes/conversation-lifecycle.js';
import { conversationRoutes } from '../routes/conversations.js';
import { optionsRoutes } from '../routes/options.js';
import { settingsRoutes } from '../routes/settings.js';
import type { SecretStore, SettingsStore } from '../secrets/settings-store.js';
import { sseRoutes } from '../streams/sse.js';
import { handleError } from './errors.js';
import { healthRoutes } from './health.js';
import { applyHttpPolicy } from './http-policy.js';
import { registerOpenApi } from './openapi.js';
import { requireSessionKey } from './session-key.js';
import { defaultWebDir, webUiRoutes } from './web-ui.js';

export interface AppDependencies {
  config: DeftConfig;
  logger: Logger;
  /** The API routes are registered when the stores are given (a bare app serves only health). */
  stores?: {
    conversations: ConversationStore;
    events: EventLog;
    settings: SettingsStore;
    secrets: SecretStore;
  };
  manager?: ConversationManager;
  metrics?: ServerMetrics;
}

/** Builds the HTTP application without listening, so tests can inject or listen on a random port. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.server.body_limit_bytes,
    forceCloseConnections: true,
  });
  app.setErrorHandler(handleError);
  // An empty JSON body (e.g. a DELETE sent with a JSON content type) is no body, not an error.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new DeftError('VALIDATION_FAILED', 'The request body is not valid JSON'), undefined);
    }
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      code: 'NOT_FOUND',
      message: `Route ${request.method} ${request.url} not found`,
      detail: 'Not Found',
    });
  });
  applyHttpPolicy(app, {
    permittedCorsOrigins: deps.config.server.permitted_cors_origins,
    rateLimitPerSecond: deps.config.server.rate_limit_per_second,
  });
  requireSessionKey(app, deps.config.session_api_key);
  const metrics = deps.metrics;
  if (metrics) {
    app.addHook('onResponse', async (request, reply) => {
      metrics.requestDuration.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
    });
    app.get('/metrics', async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
  }
  await registerOpenApi(app);
  await app.register(healthRoutes, { dataDir: deps.config.data_dir, startedAt: Date.now() });
  if (deps.stores) {
    await app.register(optionsRoutes);
    await app.register(settingsRoutes, { settings: deps.stores.settings, secrets: deps.stores.secrets });
    const manager = deps.manager;
    await app.register(conversationRoutes, {
      conversations: deps.stores.conversations,
      events: deps.stores.events,
      dataDir: deps.config.data_dir,
      liveStatus: manager ? (id: string) => manager.status(id) : undefined,
      onDelete: manager ? (id: string) => manager.delete(id) : undefined,
      onTitle: manager ? (id: string, title: string) => manager.announceTitle(id, title) : undefined,
    });
    await app.register(sseRoutes, {
      events: deps.stores.events,
      conversations: deps.stores.conversations,
      manager,
      heartbeatMs: deps.config.server.stream_heartbeat_ms,
    });
    await app.register(compatibilityRoutes);
    if (manager) {
      await app.register(conversationFileRoutes, {
        conversations: deps.stores.conversations,
        events: deps.stores.events,
        manager,
        dataDir: deps.config.data_dir,
        uploadLimits: {
          fileBytes: deps.config.server.upload_file_limit_bytes,
          files: deps.config.server.upload_max_files,
        },
      });
      await app.register(conversationGitRoutes, { conversations: deps.stores.conversations, manager });
      await app.register(conversationLifecycleRoutes, {
        conversations: deps.stores.conversations,
        settings: deps.stores.settings,
        manager,
      });
    }
  }
  await app.register(webUiRoutes, { webDir: deps.config.server.web_dir || defaultWebDir() });
  return app;
}
