import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { DeftConfig } from '../config/index.js';
import { buildApp } from '../http/app.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { assertSafeListenAddress } from './listen-policy.js';

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  logger: Logger;
  close(): Promise<void>;
}

/** Starts Deft with the given configuration and resolves once it listens. */
export async function startServer(
  config: DeftConfig,
  options: { logger?: Logger } = {},
): Promise<RunningServer> {
  assertSafeListenAddress(config);
  mkdirSync(config.data_dir, { recursive: true, mode: 0o700 });
  const logger = options.logger ?? createLogger({ level: config.log_level });
  const app = await buildApp({ config, logger });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    app,
    logger,
    close: () => {
      closing ??= app.close();
      return closing;
    },
  };
}
