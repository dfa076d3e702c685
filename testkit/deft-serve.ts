import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built `deft` command of this repository. */
export const DEFT_CLI = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));

export interface DeftServeProcess {
  child: ChildProcess;
  url: string;
}

/**
 * Runs `deft serve --port 0 --data-dir <dataDir>` as its own process and resolves with its URL once it
 * listens; rejects with what it printed when it exits or does not start within `timeoutMs`.
 */
export function startDeftServe(
  dataDir: string,
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<DeftServeProcess> {
  const child = spawn(process.execPath, [DEFT_CLI, 'serve', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, DEFT_LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`deft serve did not start: ${output}`)),
      options.timeoutMs ?? 20_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Deft is running at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`deft serve exited with ${code}: ${output}`));
    });
  });
}

/** Resolves once the process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM, then waits for the exit (a clean shutdown). */
export async function stopProcess(child: ChildProcess): Promise<void> {
  const done = exited(child);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await done;
}
