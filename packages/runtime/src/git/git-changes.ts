import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';

export interface GitChange {
  status: 'M' | 'A' | 'D' | 'R' | 'U';
  path: string;
}

export class NotARepositoryError extends Error {
  constructor() {
    super('Not a git repository');
  }
}

/** Options that keep repository configuration from running programs while we only read. */
const SAFE = ['-c', 'core.fsmonitor=false', '-c', 'core.quotepath=false', '-c', 'diff.external='];
const MAX_OUTPUT = 64 * 1024 * 1024;

function git(cwd: string, args: string[]): Promise<{ ok: boolean; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      'git',
      [...SAFE, ...args],
      {
        cwd,
        maxBuffer: MAX_OUTPUT,
        timeout: 30_000,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' },
      },
      (error, stdout) => resolve({ ok: !error, stdout: String(stdout) }),
    );
  });
}

async function assertRepository(root: string): Promise<void> {
  const inside = await git(root, ['rev-parse', '--is-inside-work-tree']);
  if (!inside.ok || inside.stdout.trim() !== 'true') throw new NotARepositoryError();
}

/**
 * The commit changes are measured against (reference §1.3 git/changes): the merge base with the origin's
 * default branch when there is one, else HEAD; null in a repository without commits.
 */
async function baseRef(root: string): Promise<string | null> {
  if (!(await git(root, ['rev-parse', '--verify', '--quiet', 'HEAD'])).ok) return null;
  const candidates: string[] = [];
  const originHead = await git(root, ['rev-parse', '--abbrev-ref', 'origin/HEAD']);
  if (originHead.ok && originHead.stdout.trim() !== 'origin/HEAD') candidates.push(originHead.stdout.trim());
  candidates.push('origin/main', 'origin/master');
  for (const ref of candidates) {
    if (!(await git(root, ['rev-parse', '--verify', '--quiet', ref])).ok) continue;
    const base = await git(root, ['merge-base', 'HEAD', ref]);
    if (base.ok) return base.stdout.trim();
  }
  return 'HEAD';
}

/** reference §1.3 GET git/changes: working tree against the base; untracked files are `A`, renames D + A. */
export async function gitChanges(root: string): Promise<GitChange[]> {
  await assertRepository(root);
  const base = await baseRef(root);
  const changes: GitChange[] = [];
  if (base) {
    const diff = await git(root, ['diff', '--name-status', '-z', '-M', '--no-ext-diff', base, '--']);
    const fields = diff.stdout.split('\0').filter((field) => field !== '');
    for (let i = 0; i < fields.length; ) {
      const code = fields[i++] ?? '';
      const kind = code[0];
      if (kind === 'R' || kind === 'C') {
        const from = fields[i++] ?? '';
        const to = fields[i++] ?? '';
        if (kind === 'R') changes.push({ status: 'D', path: from });
        changes.push({ status: 'A', path: to });
        continue;
      }
      const path = fields[i++] ?? '';
      const status = kind === 'A' || kind === 'D' || kind === 'U' ? kind : 'M';
      changes.push({ status, path });
    }
  }
  const untracked = await git(
    root,
    base
      ? ['ls-files', '-z', '--others', '--exclude-standard']
      : ['ls-files', '-z', '--others', '--cached', '--exclude-standard'],
  );
  for (const path of untracked.stdout.split('\0')) if (path) changes.push({ status: 'A', path });
  return changes;
}

/** reference §1.3 GET git/diff: the file now and at the base (empty when it does not exist there). */
export async function gitDiff(root: string, path: string): Promise<{ modified: string; original: string }> {
  await assertRepository(root);
  const relative = normalize(path).replace(/^\/+/, '');
  if (relative.startsWith('..')) throw new Error(`Path ${path} is outside the repository`);
  const base = await baseRef(root);
  const original = base ? await git(root, ['show', '--no-textconv', `${base}:${relative}`]) : null;
  const modified = await readFile(join(root, relative), 'utf8').catch(() => '');
  return { modified, original: original?.ok ? original.stdout : '' };
}
