import type { SandboxStatus } from '@deft/protocol';

/**
 * A place where the runtime (the action server of reference §4) runs, isolated from the host.
 * Implementations: `process` (bubblewrap namespaces, the default) and `docker` (Docker Engine API).
 */
export interface SandboxProvider {
  readonly kind: SandboxKind;
  /** Starts a sandbox and resolves once its runtime answers `/alive` (or rejects with SANDBOX_START_TIMEOUT / SANDBOX_START_FAILED). */
  create(spec: SandboxSpec): Promise<SandboxInfo>;
  /** Current state; status MISSING when the provider does not know the id (never throws for an unknown id). */
  get(id: string): Promise<SandboxInfo>;
  list(): Promise<SandboxInfo[]>;
  pause(id: string): Promise<SandboxInfo>;
  resume(id: string): Promise<SandboxInfo>;
  /** Kills every process of the sandbox and removes its state; the workspace dir is kept unless `removeWorkspace`. */
  destroy(id: string, options?: { removeWorkspace?: boolean }): Promise<void>;
  /** Destroys every sandbox this provider owns; waits for every child process. */
  close(): Promise<void>;
}

export type SandboxKind = 'process' | 'docker';

export type NetworkMode = 'none' | 'egress';

export interface ResourceLimits {
  /** bytes; undefined = no limit */
  memoryBytes?: number;
  /** max processes/threads in the sandbox */
  pids?: number;
  /** fraction of CPU cores, e.g. 0.5 = half a core */
  cpus?: number;
}

export interface SandboxSpec {
  /** Stable id chosen by the caller (e.g. the conversation id); a new random id when omitted. */
  id?: string;
  /** Host directory bound at /workspace inside the sandbox; created when missing. Default: <dataDir>/workspaces/<id>. */
  workspaceDir?: string;
  env?: Record<string, string>;
  limits?: ResourceLimits;
  network?: NetworkMode;
  /** ms to wait for the runtime's first successful /alive */
  startupTimeoutMs?: number;
  labels?: Record<string, string>;
}

export interface ExposedUrl {
  name: 'AGENT_SERVER' | 'VSCODE' | 'WORKER_1' | 'WORKER_2';
  /** `http+unix://<percent-encoded socket path>` for unix sockets, else `http://host:port` */
  url: string;
  port?: number;
}

export interface SandboxInfo {
  id: string;
  kind: SandboxKind;
  status: SandboxStatus;
  /** Sent by clients as X-Session-API-Key to the runtime. */
  sessionApiKey: string;
  exposedUrls: ExposedUrl[];
  /** How the host reaches the runtime: a unix socket path or a TCP base URL. */
  endpoint: RuntimeEndpoint | null;
  workspaceDir: string;
  createdAt: string;
  labels: Record<string, string>;
  /** Human-readable reason when status is ERROR. */
  error?: string;
}

export type RuntimeEndpoint = { socketPath: string } | { baseUrl: string };

/** What `get` answers for an id the provider does not know. */
export function missingSandbox(id: string, kind: SandboxKind): SandboxInfo {
  return {
    id,
    kind,
    status: 'MISSING',
    sessionApiKey: '',
    exposedUrls: [],
    endpoint: null,
    workspaceDir: '',
    createdAt: '',
    labels: {},
  };
}

/**
 * The runtime stops runaway processes of its shell well before the sandbox's process limit is exhausted:
 * above half of it (passed to the runtime as DEFT_MAX_SESSION_PROCESSES).
 */
export function sessionProcessLimit(limits: ResourceLimits): number {
  return limits.pids ? Math.max(16, Math.floor(limits.pids / 2)) : 200;
}
