import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DeftError } from '@deft/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { resolveInside } from './paths.js';
import { listFiles, receiveUpload } from './transfer.js';

let base: string;
let root: string;
let outside: string;

beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'deft-paths-')));
  root = join(base, 'workspace');
  outside = join(base, 'outside');
  await mkdir(join(root, 'src', 'deep'), { recursive: true });
  await mkdir(outside);
  await symlink(outside, join(root, 'out-link'));
  await symlink(join(root, 'src'), join(root, 'in-link'));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error instanceof DeftError ? error.code : String(error);
  }
}

describe('resolveInside: containment of host-facing file routes', () => {
  it('accepts the root, relative and absolute paths inside it, not-yet-existing paths and inner symlinks', async () => {
    expect(await resolveInside(root, root)).toBe(root);
    expect(await resolveInside(root, 'src/deep')).toBe(join(root, 'src', 'deep'));
    expect(await resolveInside(root, join(root, 'new', 'a', 'b.txt'))).toBe(join(root, 'new', 'a', 'b.txt'));
    expect(await resolveInside(root, 'in-link/deep/x.txt')).toBe(join(root, 'src', 'deep', 'x.txt'));
    expect(await resolveInside(root, 'deep', join(root, 'src'))).toBe(join(root, 'src', 'deep'));
  });

  it('refuses ../ escapes, absolute paths elsewhere and symlinks out, even as intermediate segments', async () => {
    for (const path of [
      '..',
      '../outside',
      'src/../../outside/x',
      outside,
      '/etc/passwd',
      'out-link',
      'out-link/not-yet/x.txt',
      join(root, 'in-link', '..', '..', 'outside'),
    ]) {
      expect(await refusal(resolveInside(root, path)), path).toBe('PATH_OUTSIDE_WORKSPACE');
    }
  });
});

describe('transfer containment', () => {
  it('list_files of a symlink that leaves the workspace is refused; inside ones list normally', async () => {
    expect(await refusal(listFiles(join(root, 'out-link'), { cwd: root, workspaceRoot: root }))).toBe(
      'PATH_OUTSIDE_WORKSPACE',
    );
    expect(await listFiles('in-link', { cwd: root, workspaceRoot: root })).toEqual(['deep/']);
  });

  it('a zip entry that goes through an existing symlink out of the workspace is refused (zip-slip)', async () => {
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('slip'), 'out-link/slipped.txt');
    zip.end();
    const chunks: Buffer[] = [];
    for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
    const code = await refusal(
      receiveUpload(
        {
          filename: 'a.zip',
          stream: Readable.from([Buffer.concat(chunks)]),
          destination: root,
          recursive: true,
        },
        { cwd: root, workspaceRoot: root },
      ),
    );
    expect(code).toBe('PATH_OUTSIDE_WORKSPACE');
    expect(existsSync(join(outside, 'slipped.txt'))).toBe(false);
    expect(existsSync(join(root, 'a.zip'))).toBe(false);
  });
});
