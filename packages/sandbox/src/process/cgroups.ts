import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResourceLimits } from '../provider.js';

const ROOT = '/sys/fs/cgroup';
const V1_CONTROLLERS = ['memory', 'pids', 'cpu', 'freezer'] as const;

/**
 * Resource limits and a whole-tree kill through cgroups: v2 where its controllers are enabled, v1 where they
 * are not (this kind of machine: v1 memory/pids/cpu/freezer, a v2 tree with only cgroup.kill/freeze).
 * The sandbox joins its groups before bwrap runs (see `joinScript`), so every process it forks is inside.
 */
export class CgroupSupport {
  readonly mode: 'v2' | 'v1' | 'none';
  readonly #v1: string[];
  /** a v2 hierarchy usable for kill/freeze even when it has no controllers */
  readonly #v2Root: string | null;

  private constructor(mode: 'v2' | 'v1' | 'none', v1: string[], v2Root: string | null) {
    this.mode = mode;
    this.#v1 = v1;
    this.#v2Root = v2Root;
  }

  static detect(): CgroupSupport {
    const unifiedControllers = readText(join(ROOT, 'cgroup.controllers'));
    if (
      unifiedControllers !== null &&
      /\bmemory\b/.test(unifiedControllers) &&
      /\bpids\b/.test(unifiedControllers)
    ) {
      return writable(ROOT) ? new CgroupSupport('v2', [], ROOT) : new CgroupSupport('none', [], null);
    }
    const v1 = V1_CONTROLLERS.filter((controller) => writable(join(ROOT, controller)));
    const hybrid =
      existsSync(join(ROOT, 'unified', 'cgroup.procs')) && writable(join(ROOT, 'unified'))
        ? join(ROOT, 'unified')
        : null;
    return new CgroupSupport(v1.includes('memory') || v1.includes('pids') ? 'v1' : 'none', v1, hybrid);
  }

  /** Creates the sandbox's groups and writes its limits; returns what is needed to join, freeze and kill. */
  create(name: string, limits: ResourceLimits): SandboxCgroups {
    const dirs: string[] = [];
    const make = (dir: string) => {
      mkdirSync(dir, { recursive: true });
      dirs.push(dir);
      return dir;
    };
    let killDir: string | null = null;
    let freezeFile: { path: string; frozen: string; thawed: string } | null = null;
    if (this.mode === 'v2' && this.#v2Root) {
      enableControllers(this.#v2Root, join(this.#v2Root, 'deft'));
      const dir = make(join(this.#v2Root, 'deft', name));
      if (limits.memoryBytes) write(join(dir, 'memory.max'), String(limits.memoryBytes));
      if (limits.memoryBytes) tryWrite(join(dir, 'memory.swap.max'), '0');
      if (limits.pids) write(join(dir, 'pids.max'), String(limits.pids));
      if (limits.cpus) write(join(dir, 'cpu.max'), `${Math.round(limits.cpus * 100_000)} 100000`);
      killDir = dir;
      freezeFile = { path: join(dir, 'cgroup.freeze'), frozen: '1', thawed: '0' };
    } else {
      for (const controller of this.#v1) {
        const dir = make(join(ROOT, controller, 'deft', name));
        if (controller === 'memory' && limits.memoryBytes) {
          write(join(dir, 'memory.limit_in_bytes'), String(limits.memoryBytes));
          tryWrite(join(dir, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
        }
        if (controller === 'pids' && limits.pids) write(join(dir, 'pids.max'), String(limits.pids));
        if (controller === 'cpu' && limits.cpus) {
          write(join(dir, 'cpu.cfs_period_us'), '100000');
          write(join(dir, 'cpu.cfs_quota_us'), String(Math.round(limits.cpus * 100_000)));
        }
        if (controller === 'freezer')
          freezeFile = { path: join(dir, 'freezer.state'), frozen: 'FROZEN', thawed: 'THAWED' };
      }
      if (this.#v2Root) killDir = make(join(this.#v2Root, 'deft', name));
      if (!freezeFile && killDir)
        freezeFile = { path: join(killDir, 'cgroup.freeze'), frozen: '1', thawed: '0' };
    }
    return new SandboxCgroups(dirs, killDir, freezeFile);
  }

  /** Removes groups left by an earlier server for `name`, killing what is still inside. */
  static reap(name: string): void {
    for (const dir of [
      join(ROOT, 'deft', name),
      join(ROOT, 'unified', 'deft', name),
      ...V1_CONTROLLERS.map((controller) => join(ROOT, controller, 'deft', name)),
    ]) {
      if (existsSync(dir)) new SandboxCgroups([dir], null, null).killAndRemoveSync();
    }
  }
}

export class SandboxCgroups {
  constructor(
    readonly dirs: string[],
    readonly killDir: string | null,
    readonly freezeFile: { path: string; frozen: string; thawed: string } | null,
  ) {}

  /** A shell prefix that moves the shell into every group, then execs the command given as "$@". */
  joinScript(): string {
    const files = this.dirs.map((dir) => `'${join(dir, 'cgroup.procs')}'`).join(' ');
    return `for f in ${files}; do echo $$ > "$f" || exit 97; done; exec "$@"`;
  }

  get canFreeze(): boolean {
    return this.freezeFile !== null;
  }

  freeze(frozen: boolean): void {
    if (!this.freezeFile) throw new Error('no freezer available');
    write(this.freezeFile.path, frozen ? this.freezeFile.frozen : this.freezeFile.thawed);
  }

  memoryEvents(): { oomKills: number } {
    for (const dir of this.dirs) {
      const v1 = readText(join(dir, 'memory.oom_control'));
      if (v1) return { oomKills: Number(/oom_kill (\d+)/.exec(v1)?.[1] ?? 0) };
      const v2 = readText(join(dir, 'memory.events'));
      if (v2) return { oomKills: Number(/oom_kill (\d+)/.exec(v2)?.[1] ?? 0) };
    }
    return { oomKills: 0 };
  }

  /** Every pid in the sandbox's groups. */
  pids(): number[] {
    const found = new Set<number>();
    for (const dir of this.dirs) {
      for (const line of (readText(join(dir, 'cgroup.procs')) ?? '').split('\n'))
        if (line.trim()) found.add(Number(line));
    }
    return [...found];
  }

  /** Kills everything inside (thawing first: a frozen task cannot die) and removes the groups. */
  killAndRemoveSync(): void {
    if (this.freezeFile) tryWrite(this.freezeFile.path, this.freezeFile.thawed);
    if (this.killDir) tryWrite(join(this.killDir, 'cgroup.kill'), '1');
    for (let round = 0; round < 100; round++) {
      const pids = this.pids();
      if (pids.length === 0) break;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
    for (const dir of [...this.dirs].reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // still busy or already removed; a later reap retries
      }
    }
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function write(path: string, value: string): void {
  writeFileSync(path, value);
}

function tryWrite(path: string, value: string): boolean {
  try {
    writeFileSync(path, value);
    return true;
  } catch {
    return false;
  }
}

function writable(dir: string): boolean {
  const probe = join(dir, `deft-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

function enableControllers(root: string, parent: string): void {
  tryWrite(join(root, 'cgroup.subtree_control'), '+memory +pids +cpu');
  mkdirSync(parent, { recursive: true });
  tryWrite(join(parent, 'cgroup.subtree_control'), '+memory +pids +cpu');
}
