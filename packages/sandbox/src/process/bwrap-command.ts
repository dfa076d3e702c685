import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { dirname } from 'node:path';

export interface BwrapCommandOptions {
  workspaceDir: string;
  socketDir: string;
  runtimeBundleDir: string;
  nodePath: string;
  env: Record<string, string>;
  /** no network namespace when false (only for the explicit unisolated fallback; never the default) */
  isolateNetwork: boolean;
  /** drop every capability: needed when bwrap runs as real root */
  dropCapabilities: boolean;
  hostname: string;
  resolvConf?: string;
  infoFd: number;
}

/** Files from /etc that programs need; everything else of the host's /etc stays invisible. */
const ETC_FILES = [
  '/etc/passwd',
  '/etc/group',
  '/etc/hosts',
  '/etc/nsswitch.conf',
  '/etc/ssl',
  '/etc/ca-certificates',
  '/etc/alternatives',
  '/etc/ld.so.cache',
  '/etc/localtime',
  '/etc/bash.bashrc',
  '/etc/inputrc',
  '/etc/profile',
  '/etc/mime.types',
];

export const SANDBOX_RUNTIME_DIR = '/opt/deft';
export const SANDBOX_SOCKET_DIR = '/run/deft';
export const SANDBOX_SOCKET = `${SANDBOX_SOCKET_DIR}/runtime.sock`;

/**
 * The bwrap argument list (reference: sandbox-on-linux.md §1): read-only system dirs, a private
 * /workspace, private /tmp and /proc, pid/ipc/uts(/net) namespaces, no capabilities, die with the parent.
 */
export function bwrapArguments(options: BwrapCommandOptions): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const top of ['/bin', '/sbin', '/lib', '/lib64', '/lib32']) {
    if (!existsSync(top)) continue;
    const info = lstatSync(top);
    if (info.isSymbolicLink()) args.push('--symlink', readlinkSync(top), top);
    else args.push('--ro-bind', top, top);
  }
  for (const file of ETC_FILES) args.push('--ro-bind-try', file, file);
  args.push(
    '--ro-bind-try',
    options.resolvConf ?? '/etc/resolv.conf',
    '/etc/resolv.conf',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--dir',
    '/tmp/home',
    '--ro-bind',
    options.runtimeBundleDir,
    SANDBOX_RUNTIME_DIR,
    '--bind',
    options.workspaceDir,
    '/workspace',
    '--bind',
    options.socketDir,
    SANDBOX_SOCKET_DIR,
  );
  if (!options.nodePath.startsWith('/usr/'))
    args.push('--ro-bind', dirname(options.nodePath), '/opt/node/bin');
  args.push(
    '--chdir',
    '/workspace',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(options.isolateNetwork ? ['--unshare-net'] : []),
    '--hostname',
    options.hostname,
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    ...(options.dropCapabilities ? ['--cap-drop', 'ALL'] : []),
    '--info-fd',
    String(options.infoFd),
  );
  const env: Record<string, string> = {
    PATH: '/opt/node/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: '/tmp/home',
    LANG: 'C.UTF-8',
    TERM: 'xterm',
    ...options.env,
  };
  for (const [key, value] of Object.entries(env)) args.push('--setenv', key, value);
  const node = options.nodePath.startsWith('/usr/') ? options.nodePath : '/opt/node/bin/node';
  args.push(
    node,
    `${SANDBOX_RUNTIME_DIR}/runtime.mjs`,
    '--socket',
    SANDBOX_SOCKET,
    '--workspace',
    '/workspace',
  );
  return args;
}
