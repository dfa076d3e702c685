import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitChanges, gitDiff, NotARepositoryError } from './git-changes.js';

const dirs: string[] = [];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'deft-git-'));
  dirs.push(dir);
  return dir;
}
function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('git changes and diff in the workspace (reference §1.3 git/changes, git/diff)', () => {
  it('reports modified, added, deleted, untracked and renamed files against the origin default branch', async () => {
    const origin = folder();
    git(origin, 'init', '-q', '-b', 'main');
    writeFileSync(join(origin, 'keep.txt'), 'one\n');
    writeFileSync(join(origin, 'gone.txt'), 'bye\n');
    writeFileSync(join(origin, 'old-name.txt'), 'same content for the rename detection\n'.repeat(5));
    git(origin, 'add', '.');
    git(origin, 'commit', '-qm', 'base');
    const work = folder();
    git(work, 'clone', '-q', origin, '.');
    // a local commit counts too: changes are measured from the merge base with origin/main
    writeFileSync(join(work, 'committed.txt'), 'new\n');
    git(work, 'add', '.');
    git(work, 'commit', '-qm', 'local');
    writeFileSync(join(work, 'keep.txt'), 'one\ntwo\n');
    rmSync(join(work, 'gone.txt'));
    renameSync(join(work, 'old-name.txt'), join(work, 'new-name.txt'));
    git(work, 'add', '-A', 'old-name.txt', 'new-name.txt');
    mkdirSync(join(work, 'dir'));
    writeFileSync(join(work, 'dir', 'untracked file.txt'), 'u\n');
    writeFileSync(join(work, '.gitignore'), 'ignored.log\n');
    writeFileSync(join(work, 'ignored.log'), 'x\n');

    const changes = await gitChanges(work);
    expect(changes).toEqual(
      expect.arrayContaining([
        { status: 'A', path: 'committed.txt' },
        { status: 'M', path: 'keep.txt' },
        { status: 'D', path: 'gone.txt' },
        { status: 'D', path: 'old-name.txt' },
        { status: 'A', path: 'new-name.txt' },
        { status: 'A', path: 'dir/untracked file.txt' },
        { status: 'A', path: '.gitignore' },
      ]),
    );
    expect(changes).toHaveLength(7);
    expect(await gitDiff(work, 'keep.txt')).toEqual({ modified: 'one\ntwo\n', original: 'one\n' });
    expect(await gitDiff(work, 'committed.txt')).toEqual({ modified: 'new\n', original: '' });
    expect(await gitDiff(work, 'gone.txt')).toEqual({ modified: '', original: 'bye\n' });
    await expect(gitDiff(work, '../outside')).rejects.toThrow(/outside the repository/);
  });

  it('lists every file of a repository without commits as added, and refuses a folder that is not a repository', async () => {
    const fresh = folder();
    git(fresh, 'init', '-q');
    writeFileSync(join(fresh, 'a.txt'), 'a\n');
    expect(await gitChanges(fresh)).toEqual([{ status: 'A', path: 'a.txt' }]);
    const plain = folder();
    await expect(gitChanges(plain)).rejects.toBeInstanceOf(NotARepositoryError);
  });

  it('never runs a program named by the repository configuration', async () => {
    const work = folder();
    git(work, 'init', '-q');
    writeFileSync(join(work, 'a.txt'), 'a\n');
    git(work, 'add', '.');
    git(work, 'commit', '-qm', 'c');
    const marker = join(work, 'fsmonitor-ran');
    git(work, 'config', 'core.fsmonitor', `touch ${marker}; false`);
    writeFileSync(join(work, 'a.txt'), 'b\n');
    expect(await gitChanges(work)).toEqual([{ status: 'M', path: 'a.txt' }]);
    expect(spawnSync('test', ['-e', marker]).status).not.toBe(0);
  });
});
