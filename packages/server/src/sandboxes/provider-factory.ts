import { join } from 'node:path';
import {
  DockerSandboxProvider,
  ProcessSandboxProvider,
  type RuntimeClient,
  type SandboxInfo,
  type SandboxProvider,
  type SandboxSpec,
} from '@deft/sandbox';
import type { DeftConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';

/**
 * The configured sandbox provider, built on first use: a server without bubblewrap still starts (health,
 * history, settings); only starting a conversation reports the missing isolation.
 */
export class ConfiguredSandboxes implements SandboxProvider {
  readonly kind: SandboxProvider['kind'];
  #provider: ProcessSandboxProvider | DockerSandboxProvider | null = null;
  readonly #config: DeftConfig;
  readonly #logger: Logger;

  constructor(config: DeftConfig, logger: Logger) {
    this.#config = config;
    this.#logger = logger;
    this.kind = config.sandbox.provider;
  }

  create(spec?: SandboxSpec): Promise<SandboxInfo> {
    return this.#get().create(spec);
  }
  get(id: string): Promise<SandboxInfo> {
    return this.#get().get(id);
  }
  list(): Promise<SandboxInfo[]> {
    return this.#provider ? this.#provider.list() : Promise.resolve([]);
  }
  pause(id: string): Promise<SandboxInfo> {
    return this.#get().pause(id);
  }
  resume(id: string): Promise<SandboxInfo> {
    return this.#get().resume(id);
  }
  destroy(id: string, options?: { removeWorkspace?: boolean }): Promise<void> {
    return this.#provider ? this.#provider.destroy(id, options) : Promise.resolve();
  }
  client(id: string): RuntimeClient {
    return this.#get().client(id);
  }
  async close(): Promise<void> {
    await this.#provider?.close();
  }

  #get(): ProcessSandboxProvider | DockerSandboxProvider {
    if (this.#provider) return this.#provider;
    const { sandbox, data_dir: dataDir } = this.#config;
    this.#provider =
      sandbox.provider === 'docker'
        ? new DockerSandboxProvider({
            dataDir,
            image: sandbox.docker_image,
            dockerHost: sandbox.docker_host || undefined,
          })
        : new ProcessSandboxProvider({
            dataDir,
            allowUnisolated: sandbox.allow_unisolated,
            defaultStartupTimeoutMs: sandbox.startup_timeout_ms,
            warn: (message) => this.#logger.warn({ component: 'sandbox' }, message),
          });
    this.#logger.info(
      { provider: sandbox.provider, workspaces: join(dataDir, 'workspaces') },
      'sandbox provider ready',
    );
    return this.#provider;
  }
}
