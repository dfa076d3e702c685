import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SandboxInfo, SandboxProvider, SandboxSpec } from '../provider.js';

export interface WarmPoolOptions {
  /** Sandboxes kept started ahead. */
  size: number;
  /** The spec every pooled sandbox starts with (limits, network, env). */
  template?: Omit<SandboxSpec, 'id' | 'workspaceDir'>;
  onError?: (error: unknown) => void;
}

/**
 * Keeps N sandboxes started ahead on fresh, empty workspaces, so creating one is a claim instead of a
 * start. A claim can move the pooled workspace to the caller's `workspaceDir`: the sandbox's bind mount
 * follows the directory, not its name. Specs the pool cannot honour (a chosen id, an existing non-empty
 * workspace, other limits/network/env) fall through to a normal start. The pool refills in the background.
 */
export class WarmPool implements SandboxProvider {
  readonly kind: SandboxProvider['kind'];
  readonly #provider: SandboxProvider;
  readonly #options: WarmPoolOptions;
  readonly #ready: SandboxInfo[] = [];
  #starting = 0;
  #closed = false;
  #refills = new Set<Promise<void>>();

  constructor(provider: SandboxProvider, options: WarmPoolOptions) {
    this.#provider = provider;
    this.kind = provider.kind;
    this.#options = options;
    this.#refill();
  }

  /** Sandboxes ready to be claimed right now. */
  get available(): number {
    return this.#ready.length;
  }

  /** Resolves once the pool is full (or the pool is closed). */
  async filled(): Promise<void> {
    while (!this.#closed && this.#ready.length < this.#options.size) {
      await Promise.race([...this.#refills, new Promise((resolve) => setTimeout(resolve, 20))]);
    }
  }

  async create(spec: SandboxSpec = {}): Promise<SandboxInfo> {
    const claimed = this.#canClaim(spec) ? this.#ready.shift() : undefined;
    if (!claimed) return this.#provider.create({ ...this.#options.template, ...spec });
    this.#refill();
    const current = await this.#provider.get(claimed.id);
    if (current.status !== 'RUNNING') {
      void this.#provider.destroy(claimed.id, { removeWorkspace: true });
      return this.create(spec);
    }
    if (spec.workspaceDir && spec.workspaceDir !== claimed.workspaceDir) {
      if (existsSync(spec.workspaceDir)) rmdirSync(spec.workspaceDir);
      mkdirSync(dirname(spec.workspaceDir), { recursive: true });
      renameSync(claimed.workspaceDir, spec.workspaceDir);
      claimed.workspaceDir = spec.workspaceDir;
    }
    return { ...claimed, labels: { ...claimed.labels, ...(spec.labels ?? {}) } };
  }

  get(id: string): Promise<SandboxInfo> {
    return this.#provider.get(id);
  }

  list(): Promise<SandboxInfo[]> {
    return this.#provider.list();
  }

  pause(id: string): Promise<SandboxInfo> {
    return this.#provider.pause(id);
  }

  resume(id: string): Promise<SandboxInfo> {
    return this.#provider.resume(id);
  }

  destroy(id: string, options?: { removeWorkspace?: boolean }): Promise<void> {
    return this.#provider.destroy(id, options);
  }

  /** Stops refilling and destroys the pooled (unclaimed) sandboxes; claimed ones belong to the provider. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#refills]);
    await Promise.all(
      this.#ready.splice(0).map((info) => this.#provider.destroy(info.id, { removeWorkspace: true })),
    );
  }

  #canClaim(spec: SandboxSpec): boolean {
    if (
      spec.id !== undefined ||
      spec.env !== undefined ||
      spec.limits !== undefined ||
      spec.network !== undefined
    )
      return false;
    if (spec.workspaceDir && existsSync(spec.workspaceDir) && readdirSync(spec.workspaceDir).length > 0)
      return false;
    return true;
  }

  #refill(): void {
    while (!this.#closed && this.#ready.length + this.#starting < this.#options.size) {
      this.#starting++;
      const refill = this.#provider
        .create({
          ...this.#options.template,
          labels: { ...(this.#options.template?.labels ?? {}), 'deft.pool': 'warm' },
        })
        .then(
          async (info) => {
            if (this.#closed) await this.#provider.destroy(info.id, { removeWorkspace: true });
            else this.#ready.push(info);
          },
          (error: unknown) => this.#options.onError?.(error),
        )
        .finally(() => {
          this.#starting--;
          this.#refills.delete(refill);
        });
      this.#refills.add(refill);
    }
  }
}
