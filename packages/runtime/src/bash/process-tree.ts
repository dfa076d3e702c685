import { readdirSync, readFileSync } from 'node:fs';

/** Fields of /proc/<pid>/stat after the command name, which may itself contain spaces and parentheses. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** The terminal's foreground process group as seen by `pid` (field tpgid), or null. */
export function foregroundProcessGroup(pid: number): number | null {
  const fields = statFields(pid);
  const tpgid = fields ? Number(fields[5]) : Number.NaN;
  return Number.isInteger(tpgid) && tpgid > 0 ? tpgid : null;
}

/** Every live process whose session id is `sessionId` (a shell started by setsid leads its own session). */
export function sessionMembers(sessionId: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const fields = statFields(pid);
    if (fields && Number(fields[3]) === sessionId && fields[0] !== 'Z') members.push(pid);
  }
  return members;
}

export function processGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const fields = statFields(pid);
    if (fields && Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(pid);
  }
  return members;
}

/**
 * SIGKILLs a process group until it is empty; repeating beats a group that keeps forking (a fork bomb)
 * between one signal and the next.
 */
export async function killProcessGroup(pgid: number, attempts = 50): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (processGroupMembers(pgid).length === 0) return;
  }
}

/** True while the process runs; a zombie (dead, not yet reaped) counts as gone. */
export function isAlive(pid: number): boolean {
  const fields = statFields(pid);
  return fields !== null && fields[0] !== 'Z' && fields[0] !== 'X';
}
