import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a provider writes beside each sandbox, so that a later server can find and reap what a crashed one left. */
export interface SandboxStateFile {
  id: string;
  ownerPid: number;
  ownerStartedAt: number;
  bwrapPid: number;
  helperPids: number[];
  cgroupName: string;
}

export function writeState(dir: string, state: SandboxStateFile): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
}

export function readStates(root: string): { dir: string; state: SandboxStateFile }[] {
  if (!existsSync(root)) return [];
  const states: { dir: string; state: SandboxStateFile }[] = [];
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    try {
      states.push({
        dir,
        state: JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as SandboxStateFile,
      });
    } catch {
      // a directory without a readable state: nothing to reap but the directory itself
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return states;
}

/** true when `pid` is alive and its command line mentions `needle` (guards against a reused pid). */
export function processMatches(pid: number, needle: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
  } catch {
    return false;
  }
}
