import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DeftError } from '@deft/protocol';
import Docker from 'dockerode';
import {
  missingSandbox,
  type ResourceLimits,
  type SandboxInfo,
  type SandboxProvider,
  type SandboxSpec,
  sessionProcessLimit,
} from '../provider.js';
import { RuntimeClient } from '../runtime-client/index.js';

export interface DockerSandboxProviderOptions {
  dataDir: string;
  image: string;
  /** `unix:///path/docker.sock` or `tcp://host:port`; default $DOCKER_HOST, else /var/run/docker.sock */
  dockerHost?: string;
  /** Network for sandboxes created with network `egress` (e.g. `bridge`, or `slirp4netns` on Podman). */
  egressNetwork?: string;
  defaultLimits?: ResourceLimits;
  defaultStartupTimeoutMs?: number;
}

interface Known {
  info: SandboxInfo;
  containerId: string;
  client: RuntimeClient;
}

const API_VERSION = 'v1.41';
const DEFAULT_LIMITS: ResourceLimits = { memoryBytes: 2 * 1024 ** 3, pids: 512, cpus: 1 };

/**
 * Sandboxes as containers through any Docker Engine API ≥ 1.41 (Docker, or Podman's compatible service):
 * no capabilities, no-new-privileges, a read-only root with private tmpfs, memory/pids/CPU limits, network
 * none (or a chosen network), the runtime on a unix socket in a bind-mounted host dir, and labels that let a
 * restarted server find and remove what it left behind.
 */
export class DockerSandboxProvider implements SandboxProvider {
  readonly kind = 'docker' as const;
  readonly #docker: Docker;
  readonly #options: Required<Omit<DockerSandboxProviderOptions, 'dockerHost' | 'egressNetwork'>> & {
    egressNetwork?: string;
  };
  readonly #owner: string;
  readonly #known = new Map<string, Known>();
  readonly #ready: Promise<void>;

  constructor(options: DockerSandboxProviderOptions) {
    this.#options = {
      defaultLimits: DEFAULT_LIMITS,
      defaultStartupTimeoutMs: 30_000,
      ...options,
      dataDir: resolve(options.dataDir),
    };
    this.#docker = new Docker({
      ...dockerTarget(options.dockerHost ?? process.env.DOCKER_HOST),
      version: API_VERSION,
    });
    // One owner label per data dir, so a restarted server recognises its own leftovers.
    this.#owner = createHash('sha256').update(this.#options.dataDir).digest('hex').slice(0, 16);
    this.#ready = this.#collectGarbage();
  }

  /** Resolves once containers left by an earlier server with this data dir are removed. */
  ready(): Promise<void> {
    return this.#ready;
  }

  async create(spec: SandboxSpec = {}): Promise<SandboxInfo> {
    // The startup timeout covers the whole start, container creation included.
    const deadline = Date.now() + (spec.startupTimeoutMs ?? this.#options.defaultStartupTimeoutMs);
    await this.#ready;
    const id = spec.id ?? randomBytes(16).toString('hex');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id))
      throw new DeftError('VALIDATION_FAILED', `Invalid sandbox id: ${id}`);
    if (this.#known.has(id)) throw new DeftError('VALIDATION_FAILED', `Sandbox ${id} already exists`);
    const workspaceDir = resolve(spec.workspaceDir ?? join(this.#options.dataDir, 'workspaces', id));
    const socketDir = join(this.#options.dataDir, 'sandboxes', id, 'socket');
    mkdirSync(workspaceDir, { recursive: true });
    mkdirSync(socketDir, { recursive: true });
    rmSync(join(socketDir, 'runtime.sock'), { force: true });
    const limits = { ...this.#options.defaultLimits, ...(spec.limits ?? {}) };
    const sessionApiKey = randomBytes(24).toString('hex');
    const maxSessionProcesses = sessionProcessLimit(limits);
    const labels = { ...(spec.labels ?? {}), 'deft.sandbox': id, 'deft.owner': this.#owner };
    if (spec.network === 'egress' && !this.#options.egressNetwork) {
      throw new DeftError(
        'VALIDATION_FAILED',
        'Network egress needs a configured docker network (sandbox.docker_egress_network)',
      );
    }
    let container: Docker.Container;
    try {
      container = await this.#docker.createContainer({
        name: `deft-${this.#owner}-${id}`,
        Image: this.#options.image,
        Hostname: 'deft-sandbox',
        WorkingDir: '/workspace',
        Env: Object.entries({
          ...(spec.env ?? {}),
          SESSION_API_KEY: sessionApiKey,
          DEFT_MAX_SESSION_PROCESSES: String(maxSessionProcesses),
        }).map(([key, value]) => `${key}=${value}`),
        Labels: labels,
        HostConfig: {
          Binds: [`${workspaceDir}:/workspace`, `${socketDir}:/run/deft`],
          NetworkMode: spec.network === 'egress' ? this.#options.egressNetwork : 'none',
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges'],
          // An init as PID 1 reaps orphans (the runtime, a Node process, does not), so killed processes never pile up as zombies.
          Init: true,
          ReadonlyRootfs: true,
          Tmpfs: { '/tmp': 'rw,nosuid,size=512m', '/root': 'rw,nosuid,size=64m' },
          Memory: limits.memoryBytes,
          MemorySwap: limits.memoryBytes,
          PidsLimit: limits.pids,
          NanoCpus: limits.cpus ? Math.round(limits.cpus * 1e9) : undefined,
        },
      });
    } catch (error) {
      throw new DeftError(
        'SANDBOX_START_FAILED',
        `Creating the container failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const info: SandboxInfo = {
      id,
      kind: 'docker',
      status: 'STARTING',
      sessionApiKey,
      endpoint: { socketPath: join(socketDir, 'runtime.sock') },
      exposedUrls: [
        { name: 'AGENT_SERVER', url: `http+unix://${encodeURIComponent(join(socketDir, 'runtime.sock'))}` },
      ],
      workspaceDir,
      createdAt: new Date().toISOString(),
      labels: { ...(spec.labels ?? {}) },
    };
    const known: Known = {
      info,
      containerId: container.id,
      client: new RuntimeClient({ endpoint: info.endpoint!, sessionApiKey }),
    };
    this.#known.set(id, known);
    try {
      await container.start();
      await this.#waitAlive(known, deadline);
    } catch (error) {
      await this.destroy(id);
      if (error instanceof DeftError) throw error;
      throw new DeftError(
        'SANDBOX_START_FAILED',
        `Starting the container failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    info.status = 'RUNNING';
    return { ...info };
  }

  async get(id: string): Promise<SandboxInfo> {
    const known = this.#known.get(id);
    if (!known) return missingSandbox(id, 'docker');
    try {
      const state = (await this.#docker.getContainer(known.containerId).inspect()).State;
      known.info.status = state.Paused
        ? 'PAUSED'
        : state.Running
          ? known.info.status === 'STARTING'
            ? 'STARTING'
            : 'RUNNING'
          : state.Status === 'created'
            ? 'STARTING'
            : 'ERROR';
      if (known.info.status === 'ERROR')
        known.info.error = `The container is ${state.Status} (exit code ${state.ExitCode}${state.OOMKilled ? ', killed by its memory limit' : ''})`;
    } catch {
      known.info.status = 'MISSING';
    }
    return { ...known.info };
  }

  async list(): Promise<SandboxInfo[]> {
    return Promise.all([...this.#known.keys()].map((id) => this.get(id)));
  }

  client(id: string): RuntimeClient {
    const known = this.#known.get(id);
    if (!known) throw new DeftError('SANDBOX_NOT_FOUND', `Sandbox ${id} not found`);
    return known.client;
  }

  async pause(id: string): Promise<SandboxInfo> {
    const known = this.#require(id);
    if ((await this.get(id)).status !== 'PAUSED') await this.#docker.getContainer(known.containerId).pause();
    known.info.status = 'PAUSED';
    return { ...known.info };
  }

  async resume(id: string): Promise<SandboxInfo> {
    const known = this.#require(id);
    if ((await this.get(id)).status === 'PAUSED')
      await this.#docker.getContainer(known.containerId).unpause();
    known.info.status = 'RUNNING';
    return { ...known.info };
  }

  async destroy(id: string, options: { removeWorkspace?: boolean } = {}): Promise<void> {
    const known = this.#known.get(id);
    if (!known) return;
    this.#known.delete(id);
    known.client.close();
    await this.#docker
      .getContainer(known.containerId)
      .remove({ force: true, v: true })
      .catch(() => undefined);
    rmSync(join(this.#options.dataDir, 'sandboxes', id), { recursive: true, force: true });
    if (options.removeWorkspace) rmSync(known.info.workspaceDir, { recursive: true, force: true });
  }

  async close(): Promise<void> {
    await this.#ready.catch(() => undefined);
    await Promise.all([...this.#known.keys()].map((id) => this.destroy(id)));
  }

  async #waitAlive(known: Known, deadline: number): Promise<void> {
    const timeoutMs = deadline - Date.now();
    for (let attempt = 0; ; attempt++) {
      if (Date.now() >= deadline)
        throw new DeftError(
          'SANDBOX_START_TIMEOUT',
          `Sandbox ${known.info.id} did not answer /alive in time`,
        );
      if (await known.client.alive(1_000)) return;
      if (attempt % 20 === 19) {
        const state = (await this.#docker.getContainer(known.containerId).inspect()).State;
        if (!state.Running)
          throw new DeftError(
            'SANDBOX_START_FAILED',
            `The container exited during start-up (${state.Status}, exit code ${state.ExitCode})`,
          );
      }
      if (Date.now() >= deadline)
        throw new DeftError(
          'SANDBOX_START_TIMEOUT',
          `Sandbox ${known.info.id} did not answer /alive within ${timeoutMs} ms`,
        );
      await new Promise((resolveWait) => setTimeout(resolveWait, 5));
    }
  }

  async #collectGarbage(): Promise<void> {
    const leftovers = await this.#docker.listContainers({
      all: true,
      filters: { label: [`deft.owner=${this.#owner}`] },
    });
    await Promise.all(
      leftovers.map((container) =>
        this.#docker
          .getContainer(container.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
  }

  #require(id: string): Known {
    const known = this.#known.get(id);
    if (!known) throw new DeftError('SANDBOX_NOT_FOUND', `Sandbox ${id} not found`);
    return known;
  }
}

function dockerTarget(host: string | undefined): Docker.DockerOptions {
  if (!host) return { socketPath: '/var/run/docker.sock' };
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' };
}
