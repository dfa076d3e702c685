import { type ChildProcess, spawn } from 'node:child_process';
import { DeftError } from '@deft/protocol';

/**
 * Outbound network for a sandbox whose net namespace is otherwise empty: slirp4netns with the host's
 * loopback blocked (--disable-host-loopback), so the agent can install packages but never reach services
 * listening on the host's 127.0.0.1.
 */
export async function attachEgress(childPid: number, timeoutMs = 5_000): Promise<ChildProcess> {
  const slirp = spawn(
    'slirp4netns',
    ['--configure', '--mtu=65520', '--disable-host-loopback', '--ready-fd', '3', String(childPid), 'tap0'],
    {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  slirp.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new DeftError('SANDBOX_START_FAILED', 'slirp4netns did not become ready')),
      timeoutMs,
    );
    (slirp.stdio[3] as NodeJS.ReadableStream).once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    slirp.once('error', (error) => {
      clearTimeout(timer);
      reject(new DeftError('SANDBOX_START_FAILED', `slirp4netns could not start: ${error.message}`));
    });
    slirp.once('exit', (code) => {
      clearTimeout(timer);
      reject(new DeftError('SANDBOX_START_FAILED', `slirp4netns exited (${code}): ${stderr.trim()}`));
    });
  });
  slirp.removeAllListeners('exit');
  return slirp;
}

export const EGRESS_RESOLV_CONF = 'nameserver 10.0.2.3\n';
