// The runtime's entry point: `node runtime.mjs --socket /run/deft/runtime.sock --workspace /workspace`.
import { parseArgs } from 'node:util';
import { BashSession } from './bash/bash-session.js';

const { values } = parseArgs({
  options: {
    socket: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    workspace: { type: 'string', default: '/workspace' },
    'soft-timeout': { type: 'string' },
  },
});

if (!values.socket && !values.port) {
  process.stderr.write(
    'usage: runtime --socket PATH | --port N [--host H] [--workspace DIR] [--soft-timeout SECONDS]\n',
  );
  process.exit(2);
}

const softTimeout = Number(values['soft-timeout'] ?? process.env.DEFT_SOFT_TIMEOUT_S ?? 10);
// Start bash first: it comes up while the rest of the runtime (the protocol schemas) is loaded below.
const bashSession = new BashSession({
  cwd: values.workspace!,
  softTimeoutSeconds: Number.isFinite(softTimeout) && softTimeout > 0 ? softTimeout : 10,
});
const bashStarted = bashSession.start();
const { RuntimeServer } = await import('./server/runtime-server.js');
await bashStarted;
const server = new RuntimeServer({
  workspaceRoot: values.workspace!,
  sessionApiKey: process.env.SESSION_API_KEY || undefined,
  bashSession,
  maxSessionProcesses: Number(process.env.DEFT_MAX_SESSION_PROCESSES) || undefined,
});
const address = await server.listen(
  values.socket ? { socketPath: values.socket } : { host: values.host!, port: Number(values.port) },
);
process.stdout.write(`runtime listening on ${address}\n`);

const shutdown = () => {
  server.close().finally(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
