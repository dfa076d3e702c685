import { mkdirSync } from 'node:fs';
import type { Settings } from '@deft/protocol';
import type { FastifyInstance } from 'fastify';
import type { DeftConfig } from '../config/index.js';
import { ConversationManager } from '../conversations/conversation-manager.js';
import { ConversationStore } from '../conversations/index.js';
import { EventLog } from '../events/index.js';
import { buildApp } from '../http/app.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { ServerMetrics } from '../metrics/metrics.js';
import { ConfiguredSandboxes } from '../sandboxes/provider-factory.js';
import { loadSecretKey, SecretCipher } from '../secrets/cipher.js';
import { SecretStore, SettingsStore } from '../secrets/settings-store.js';
import { type DatabaseHandle, openDatabase } from '../storage/index.js';
import { attachSocketIo } from '../streams/socketio.js';
import { attachWebSocketStream } from '../streams/websocket.js';
import { assertSafeListenAddress } from './listen-policy.js';

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  logger: Logger;
  database: DatabaseHandle;
  events: EventLog;
  conversations: ConversationStore;
  settings: SettingsStore;
  manager: ConversationManager;
  close(): Promise<void>;
}

/** Starts Deft with the given configuration and resolves once it listens. */
export async function startServer(
  config: DeftConfig,
  options: {
    logger?: Logger;
    /** Settings values that win over the saved ones in this process, never saved (see SettingsStore). */
    settingsOverlay?: Partial<Settings>;
    /**
     * Bring back the conversations that were running when a server last stopped (default true). `deft run`
     * turns it off: it serves one task beside a `deft serve` that may own those conversations.
     */
    recover?: boolean;
  } = {},
): Promise<RunningServer> {
  assertSafeListenAddress(config);
  mkdirSync(config.data_dir, { recursive: true, mode: 0o700 });
  const logger = options.logger ?? createLogger({ level: config.log_level });
  // Migrations run here, before the server accepts a request.
  const database = await openDatabase({
    url: config.database_url,
    dataDir: config.data_dir,
    sqliteSynchronous: config.sqlite_synchronous,
  });
  let running = () => 0;
  let sandboxCount = async () => 0;
  const metrics = new ServerMetrics({
    runningConversations: () => running(),
    sandboxes: () => sandboxCount(),
  });
  const events = new EventLog(database, { onCommitted: (count) => metrics.eventsAppended.inc(count) });
  const conversations = new ConversationStore(database);
  const cipher = new SecretCipher(loadSecretKey({ dataDir: config.data_dir }));
  const settings = new SettingsStore(database, cipher, { overlay: options.settingsOverlay });
  const secrets = new SecretStore(database, cipher);
  const sandboxes = new ConfiguredSandboxes(config, logger);
  let broadcast: (conversationId: string, payload: Record<string, unknown>) => void = () => undefined;
  const manager = new ConversationManager({
    config,
    conversations,
    events,
    settings,
    secrets,
    sandboxes,
    logger,
    onLlmCall: (outcome) => {
      metrics.llmCalls.inc({ outcome: outcome.ok ? 'ok' : 'error' });
      if (!outcome.ok) return;
      metrics.llmTokens.inc({ kind: 'prompt' }, outcome.response.usage.promptTokens);
      metrics.llmTokens.inc({ kind: 'completion' }, outcome.response.usage.completionTokens);
      metrics.llmCost.inc(outcome.response.cost);
    },
    // reference §2.3: status and title updates go to the conversation's room, unpersisted.
    onRoomMessage: (conversationId, payload) => broadcast(conversationId, payload),
  });
  logger.info({ database: database.location, dialect: database.dialect }, 'storage ready');
  let app: FastifyInstance;
  try {
    running = () => manager.runningCount;
    sandboxCount = async () => (await sandboxes.list()).length;
    app = await buildApp({
      config,
      logger,
      stores: { conversations, events, settings, secrets },
      manager,
      metrics,
    });
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await manager.close();
    await sandboxes.close();
    await events.close();
    await database.close();
    throw error;
  }
  const io = attachSocketIo(app.server, {
    events,
    conversations,
    settings,
    manager,
    logger,
    sessionApiKey: config.session_api_key,
    onConnectionChange: (delta) => metrics.socketConnections.inc(delta),
  });
  broadcast = (conversationId, payload) => io.to(`room:${conversationId}`).emit('oh_event', payload);
  const wss = attachWebSocketStream(app.server, {
    events,
    conversations,
    manager,
    sessionApiKey: config.session_api_key,
    heartbeatMs: config.server.stream_heartbeat_ms,
  });
  // After a restart the conversations that were running come back (in the background: serving starts now).
  if (options.recover !== false)
    void manager.recover().catch((error: unknown) => logger.error({ err: error }, 'recovery failed'));
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    app,
    logger,
    database,
    events,
    conversations,
    settings,
    manager,
    close: () => {
      closing ??= (async () => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        await io.close();
        await app.close();
        await manager.close();
        await sandboxes.close();
        await events.close();
        await database.close();
      })();
      return closing;
    },
  };
}
