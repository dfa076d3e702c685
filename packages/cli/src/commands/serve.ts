import { startServer } from '@deft/server';
import type { Command } from 'commander';
import { type ConfigFlags, configFrom, withConfigFlags } from '../config-flags.js';

interface ServeFlags extends ConfigFlags {
  port?: string;
  host?: string;
  insecure?: boolean;
}

export function registerServe(program: Command): void {
  withConfigFlags(
    program
      .command('serve')
      .description('run the Deft server (embedded defaults: SQLite, local event log, process sandbox)')
      .option('-p, --port <port>', 'port to listen on (default 3000, or $PORT)')
      .option('-H, --host <host>', 'address to listen on (default 127.0.0.1, or $HOST)'),
  )
    .option('--insecure', 'allow a non-loopback address without a session API key')
    .action(async (flags: ServeFlags) => {
      const overrides: Record<string, unknown> = {};
      if (flags.port !== undefined) overrides.port = flags.port;
      if (flags.host !== undefined) overrides.host = flags.host;
      if (flags.insecure) overrides.insecure = true;
      const config = configFrom(flags, overrides);
      const server = await startServer(config);
      process.stdout.write(`Deft is running at ${server.url}\n`);
      const shutdown = (signal: string) => {
        server.logger.info({ signal }, 'shutting down');
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
}
