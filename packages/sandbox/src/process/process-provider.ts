import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DeftError } from '@deft/protocol';
import { defaultRuntimeBundleDir } from '../bundle-location.js';
import {
  missingSandbox,
  type ResourceLimits,
  type SandboxInfo,
  type SandboxProvider,
  type SandboxSpec,
  sessionProcessLimit,
} from '../provider.js';
import { RuntimeClient } from '../runtime-client/index.js';
import { bwrapArguments } from './bwrap-command.js';
import { CgroupSupport, type SandboxCgroups } from './cgroups.js';
import { attachEgress, EGRESS_RESOLV_CONF } from './egress.js';
import { processMatches, readStates, writeState } from './sandbox-state.js';

export interface ProcessSandboxProviderOptions {
  /** Sandboxes keep their state under `<dataDir>/sandboxes`, workspaces default to `<dataDir>/workspaces`. */
  dataDir: string;
  runtimeBundleDir?: string;
  nodePath?: string;
  defaultLimits?: ResourceLimits;
  defaultStartupTimeoutMs?: number;
  /** Run the runtime without namespaces when bubblewrap is unusable. Never the default; warns on every start. */
  allowUnisolated?: boolean;
  /** The bubblewrap executable (default `bwrap` on PATH). */
  bwrapPath?: string;
  /** Restart a sandbox whose runtime died unexpectedly (e.g. killed by its memory limit). Default true. */
  restartOnExit?: boolean;
  warn?: (message: string) => void;
}

interface Running {
  info: SandboxInfo;
  spec: SandboxSpec;
  process: ChildProcess;
  exited: Promise<void>;
  cgroups: SandboxCgroups | null;
  helpers: ChildProcess[];
  client: RuntimeClient;
  stopping: boolean;
  stderr: string;
}

const DEFAULT_LIMITS: ResourceLimits = { memoryBytes: 2 * 1024 ** 3, pids: 512, cpus: 1 };

/**
 * The default sandbox: the runtime as a child process inside Linux namespaces via bubblewrap, with no
 * capabilities, read-only system dirs, a private /workspace and /tmp, an empty network namespace (or
 * slirp4netns egress without the host's loopback), cgroup limits and a whole-tree kill.
 */
export class ProcessSandboxProvider implements SandboxProvider {
  readonly kind = 'process' as const;
  readonly #options: Required<Omit<ProcessSandboxProviderOptions, 'warn'>> & {
    warn: (message: string) => void;
  };
  readonly #sandboxes = new Map<string, Running>();
  readonly #cgroups: CgroupSupport;
  readonly #isolation: 'bwrap' | 'none';
  readonly #instance = randomBytes(4).toString('hex');

  constructor(options: ProcessSandboxProviderOptions) {
    this.#options = {
      runtimeBundleDir: defaultRuntimeBundleDir(),
      nodePath: process.execPath,
      defaultLimits: DEFAULT_LIMITS,
      defaultStartupTimeoutMs: 30_000,
      allowUnisolated: false,
      restartOnExit: true,
      bwrapPath: 'bwrap',
      warn: (message) => process.stderr.write(`deft sandbox: ${message}\n`),
      ...options,
      dataDir: resolve(options.dataDir),
    };
    if (!existsSync(join(this.#options.runtimeBundleDir, 'runtime.mjs'))) {
      throw new DeftError(
        'SANDBOX_UNAVAILABLE',
        `The runtime bundle is missing at ${this.#options.runtimeBundleDir} (run npm run build)`,
      );
    }
    const probe = probeBubblewrap(this.#options.bwrapPath);
    if (probe !== true && !this.#options.allowUnisolated) {
      throw new DeftError(
        'SANDBOX_UNAVAILABLE',
        `Sandboxes need Linux namespaces through bubblewrap, which failed here: ${probe}. Install bubblewrap, or set sandbox.allow_unisolated to run without isolation.`,
      );
    }
    this.#isolation = probe === true ? 'bwrap' : 'none';
    this.#cgroups = CgroupSupport.detect();
    if (this.#cgroups.mode === 'none')
      this.#options.warn(
        'cgroups are not writable here: sandboxes run without memory, process and CPU limits',
      );
    this.#reapLeftovers();
  }

  get isolation(): 'bwrap' | 'none' {
    return this.#isolation;
  }

  get cgroupMode(): CgroupSupport['mode'] {
    return this.#cgroups.mode;
  }

  async create(spec: SandboxSpec = {}): Promise<SandboxInfo> {
    const id = spec.id ?? randomBytes(16).toString('hex');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id))
      throw new DeftError('VALIDATION_FAILED', `Invalid sandbox id: ${id}`);
    if (this.#sandboxes.has(id)) throw new DeftError('VALIDATION_FAILED', `Sandbox ${id} already exists`);
    const workspaceDir = resolve(spec.workspaceDir ?? join(this.#options.dataDir, 'workspaces', id));
    mkdirSync(workspaceDir, { recursive: true });
    const info: SandboxInfo = {
      id,
      kind: 'process',
      status: 'STARTING',
      sessionApiKey: randomBytes(24).toString('hex'),
      exposedUrls: [],
      endpoint: null,
      workspaceDir,
      createdAt: new Date().toISOString(),
      labels: { ...(spec.labels ?? {}) },
    };
    return this.#start(info, spec);
  }

  async get(id: string): Promise<SandboxInfo> {
    const running = this.#sandboxes.get(id);
    return running ? { ...running.info } : missingSandbox(id, 'process');
  }

  async list(): Promise<SandboxInfo[]> {
    return [...this.#sandboxes.values()].map((running) => ({ ...running.info }));
  }

  /** The runtime client of a running sandbox (shared, keep-alive). */
  client(id: string): RuntimeClient {
    const running = this.#sandboxes.get(id);
    if (!running) throw new DeftError('SANDBOX_NOT_FOUND', `Sandbox ${id} not found`);
    return running.client;
  }

  async pause(id: string): Promise<SandboxInfo> {
    const running = this.#require(id);
    if (running.info.status === 'PAUSED') return { ...running.info };
    if (running.info.status !== 'RUNNING')
      throw new DeftError('SANDBOX_NOT_RUNNING', `Sandbox ${id} is ${running.info.status}`);
    if (running.cgroups?.canFreeze) running.cgroups.freeze(true);
    else signalTree(running.process.pid!, 'SIGSTOP');
    running.info.status = 'PAUSED';
    return { ...running.info };
  }

  async resume(id: string): Promise<SandboxInfo> {
    const running = this.#require(id);
    if (running.info.status !== 'PAUSED') return { ...running.info };
    if (running.cgroups?.canFreeze) running.cgroups.freeze(false);
    else signalTree(running.process.pid!, 'SIGCONT');
    running.info.status = 'RUNNING';
    return { ...running.info };
  }

  async destroy(id: string, options: { removeWorkspace?: boolean } = {}): Promise<void> {
    const running = this.#sandboxes.get(id);
    if (!running) return;
    this.#sandboxes.delete(id);
    await this.#stop(running);
    rmSync(this.#sandboxDir(id), { recursive: true, force: true });
    if (options.removeWorkspace) rmSync(running.info.workspaceDir, { recursive: true, force: true });
  }

  async close(): Promise<void> {
    await Promise.all([...this.#sandboxes.keys()].map((id) => this.destroy(id)));
  }

  async #start(info: SandboxInfo, spec: SandboxSpec): Promise<SandboxInfo> {
    // The startup timeout covers the whole start, spawning included.
    const deadline = Date.now() + (spec.startupTimeoutMs ?? this.#options.defaultStartupTimeoutMs);
    const sandboxDir = this.#sandboxDir(info.id);
    const socketDir = join(sandboxDir, 'socket');
    mkdirSync(socketDir, { recursive: true });
    rmSync(join(socketDir, 'runtime.sock'), { force: true });
    const limits = { ...this.#options.defaultLimits, ...(spec.limits ?? {}) };
    const cgroups =
      this.#cgroups.mode === 'none'
        ? null
        : this.#cgroups.create(cgroupName(this.#instance, info.id), limits);
    const network = spec.network ?? 'none';
    let resolvConf: string | undefined;
    if (network === 'egress') {
      resolvConf = join(sandboxDir, 'resolv.conf');
      writeFileSync(resolvConf, EGRESS_RESOLV_CONF);
    }
    // The runtime cleans up runaway processes well before the sandbox's process limit is exhausted.
    const maxSessionProcesses = sessionProcessLimit(limits);
    const env = {
      ...(spec.env ?? {}),
      SESSION_API_KEY: info.sessionApiKey,
      DEFT_MAX_SESSION_PROCESSES: String(maxSessionProcesses),
    };
    const { command, args } =
      this.#isolation === 'bwrap'
        ? {
            command: this.#options.bwrapPath,
            args: bwrapArguments({
              workspaceDir: info.workspaceDir,
              socketDir,
              runtimeBundleDir: this.#options.runtimeBundleDir,
              nodePath: this.#options.nodePath,
              env,
              isolateNetwork: true,
              dropCapabilities: process.getuid?.() === 0,
              hostname: 'deft-sandbox',
              resolvConf,
              infoFd: 3,
            }),
          }
        : {
            command: this.#options.nodePath,
            args: [
              join(this.#options.runtimeBundleDir, 'runtime.mjs'),
              '--socket',
              join(socketDir, 'runtime.sock'),
              '--workspace',
              info.workspaceDir,
            ],
          };
    if (this.#isolation === 'none')
      this.#options.warn(`sandbox ${info.id} runs WITHOUT isolation (sandbox.allow_unisolated is set)`);
    const child = cgroups
      ? spawn('/bin/sh', ['-c', cgroups.joinScript(), 'sh', command, ...args], {
          stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
          env: this.#isolation === 'none' ? { ...process.env, ...env } : {},
        })
      : spawn(command, args, {
          stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
          env: this.#isolation === 'none' ? { ...process.env, ...env } : {},
        });
    const running: Running = {
      info,
      spec,
      process: child,
      exited: new Promise((resolveExit) => child.once('exit', () => resolveExit())),
      cgroups,
      helpers: [],
      client: new RuntimeClient({
        endpoint: { socketPath: join(socketDir, 'runtime.sock') },
        sessionApiKey: info.sessionApiKey,
      }),
      stopping: false,
      stderr: '',
    };
    child.stderr!.on('data', (chunk: Buffer) => {
      running.stderr = (running.stderr + chunk.toString()).slice(-4000);
    });
    child.once('error', (error) => {
      running.stderr += `\n${error.message}`;
    });
    info.endpoint = { socketPath: join(socketDir, 'runtime.sock') };
    info.exposedUrls = [
      { name: 'AGENT_SERVER', url: `http+unix://${encodeURIComponent(join(socketDir, 'runtime.sock'))}` },
    ];
    this.#sandboxes.set(info.id, running);

    try {
      const childPid = this.#isolation === 'bwrap' ? await readChildPid(child, running) : child.pid!;
      if (network === 'egress') {
        if (this.#isolation === 'bwrap') running.helpers.push(await attachEgress(childPid));
      }
      writeState(sandboxDir, {
        id: info.id,
        ownerPid: process.pid,
        ownerStartedAt: Date.now(),
        bwrapPid: child.pid!,
        helperPids: running.helpers.map((helper) => helper.pid!).filter(Boolean),
        cgroupName: cgroupName(this.#instance, info.id),
      });
      await this.#waitAlive(running, deadline);
    } catch (error) {
      this.#sandboxes.delete(info.id);
      await this.#stop(running);
      throw error;
    }
    info.status = 'RUNNING';
    void running.exited.then(() => this.#onExit(running));
    return { ...info };
  }

  async #waitAlive(running: Running, deadline: number): Promise<void> {
    const timeoutMs = Math.max(0, deadline - Date.now());
    let exited = false;
    void running.exited.then(() => (exited = true));
    for (;;) {
      if (exited) {
        throw new DeftError(
          'SANDBOX_START_FAILED',
          `The sandbox exited during start-up: ${running.stderr.trim() || 'no output'}`,
        );
      }
      if (Date.now() >= deadline) {
        throw new DeftError(
          'SANDBOX_START_TIMEOUT',
          `Sandbox ${running.info.id} did not answer /alive in time`,
        );
      }
      const socket =
        running.info.endpoint && 'socketPath' in running.info.endpoint
          ? running.info.endpoint.socketPath
          : '';
      if (existsSync(socket) && (await running.client.alive(1_000))) return;
      if (Date.now() >= deadline)
        throw new DeftError(
          'SANDBOX_START_TIMEOUT',
          `Sandbox ${running.info.id} did not answer /alive within ${timeoutMs} ms`,
        );
      await new Promise((resolveWait) => setTimeout(resolveWait, 3));
    }
  }

  async #onExit(running: Running): Promise<void> {
    if (running.stopping || this.#sandboxes.get(running.info.id) !== running) return;
    running.info.status = 'ERROR';
    running.info.error = `The sandbox's runtime exited unexpectedly${running.cgroups?.memoryEvents().oomKills ? ' (killed by its memory limit)' : ''}`;
    await this.#stop(running);
    if (!this.#options.restartOnExit) return;
    // Same id, key, socket and workspace: clients keep working after a short interruption.
    this.#sandboxes.delete(running.info.id);
    const info: SandboxInfo = { ...running.info, status: 'STARTING', endpoint: null };
    delete info.error;
    try {
      await this.#start(info, running.spec);
    } catch (error) {
      this.#options.warn(`sandbox ${info.id} could not be restarted: ${(error as Error).message}`);
      this.#sandboxes.set(info.id, {
        ...running,
        info: { ...info, status: 'ERROR', error: (error as Error).message },
      });
    }
  }

  async #stop(running: Running): Promise<void> {
    running.stopping = true;
    running.client.close();
    for (const helper of running.helpers) helper.kill('SIGKILL');
    running.cgroups?.killAndRemoveSync();
    if (running.process.exitCode === null && running.process.signalCode === null)
      running.process.kill('SIGKILL');
    await running.exited;
    await Promise.all(
      running.helpers.map((helper) =>
        helper.exitCode === null && helper.signalCode === null
          ? new Promise((r) => helper.once('exit', r))
          : null,
      ),
    );
  }

  #reapLeftovers(): void {
    for (const { dir, state } of readStates(join(this.#options.dataDir, 'sandboxes'))) {
      if (state.ownerPid !== process.pid && isAlive(state.ownerPid) && processMatches(state.ownerPid, 'node'))
        continue;
      for (const pid of [state.bwrapPid, ...state.helperPids]) {
        if (
          processMatches(pid, 'bwrap') ||
          processMatches(pid, 'slirp4netns') ||
          processMatches(pid, 'runtime.mjs')
        ) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone already
          }
        }
      }
      CgroupSupport.reap(state.cgroupName);
      rmSync(dir, { recursive: true, force: true });
    }
  }

  #require(id: string): Running {
    const running = this.#sandboxes.get(id);
    if (!running) throw new DeftError('SANDBOX_NOT_FOUND', `Sandbox ${id} not found`);
    return running;
  }

  #sandboxDir(id: string): string {
    return join(this.#options.dataDir, 'sandboxes', id);
  }
}

function cgroupName(instance: string, id: string): string {
  return `sbx-${instance}-${id}`;
}

/** true when bubblewrap can create the namespaces a sandbox needs; otherwise the reason. */
export function probeBubblewrap(bwrap: string): true | string {
  const result = spawnSync(
    bwrap,
    [
      '--ro-bind',
      '/',
      '/',
      '--unshare-pid',
      '--unshare-net',
      '--unshare-ipc',
      '--unshare-uts',
      '--die-with-parent',
      '--cap-drop',
      'ALL',
      'true',
    ],
    {
      timeout: 10_000,
      encoding: 'utf8',
    },
  );
  if (result.error)
    return (result.error as NodeJS.ErrnoException).code === 'ENOENT'
      ? 'bwrap is not installed'
      : result.error.message;
  return result.status === 0 ? true : result.stderr.trim() || `bwrap exited with ${result.status}`;
}

/** bwrap writes {"child-pid": N} on --info-fd once the sandbox's first process exists. */
function readChildPid(child: ChildProcess, running: Running): Promise<number> {
  return new Promise((resolvePid, reject) => {
    let text = '';
    const stream = child.stdio[3] as NodeJS.ReadableStream;
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (match) {
        stream.off('data', onData);
        resolvePid(Number(match[1]));
      }
    };
    stream.on('data', onData);
    child.once('exit', () =>
      reject(
        new DeftError('SANDBOX_START_FAILED', `bubblewrap failed: ${running.stderr.trim() || 'no output'}`),
      ),
    );
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

/** SIGSTOP/SIGCONT for a whole process tree, when no freezer cgroup is available. */
function signalTree(root: number, signal: NodeJS.Signals): void {
  const children = new Map<number, number[]>();
  for (const entry of spawnSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' }).stdout.split('\n')) {
    const [pid, ppid] = entry.trim().split(/\s+/).map(Number);
    if (pid && ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
    stack.push(...(children.get(pid) ?? []));
  }
}
