import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAction } from '@deft/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDefault, writeDefault } from './read-write.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deft-read-write-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('default read (reference §4.4)', () => {
  it('§4.4 reads lines start..end (0-based, -1 = all), relative paths against the bash cwd', async () => {
    await writeFile(join(dir, 'lines.txt'), 'a\nb\nc\nd\n');
    const all = await readDefault(createAction('read', { path: 'lines.txt' }), dir);
    expect(all).toMatchObject({ observation: 'read', content: 'a\nb\nc\nd\n' });
    expect(all.extras).toMatchObject({ path: join(dir, 'lines.txt'), impl_source: 'default' });
    const middle = await readDefault(
      createAction('read', { path: join(dir, 'lines.txt'), start: 1, end: 3 }),
      '/',
    );
    expect(middle.content).toBe('b\nc');
    const tail = await readDefault(createAction('read', { path: 'lines.txt', start: 2 }), dir);
    expect(tail.content).toBe('c\nd\n');
  });

  it('§4.4 exact error texts: not found (with the cwd), directory, not UTF-8, binary', async () => {
    const missing = join(dir, 'nope.txt');
    const notFound = await readDefault(createAction('read', { path: 'nope.txt' }), dir);
    expect(notFound).toMatchObject({
      observation: 'error',
      content: `File not found: ${missing}. Your current working directory is ${dir}.`,
    });
    await mkdir(join(dir, 'sub'), { recursive: true });
    const directory = await readDefault(createAction('read', { path: join(dir, 'sub') }), dir);
    expect(directory.content).toBe(`Path is a directory: ${join(dir, 'sub')}. You can only read files`);
    await writeFile(join(dir, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    const latin = await readDefault(createAction('read', { path: 'latin1.txt' }), dir);
    expect(latin).toMatchObject({
      observation: 'error',
      content: `File could not be decoded as utf-8: ${join(dir, 'latin1.txt')}.`,
    });
    await writeFile(join(dir, 'blob.bin'), Buffer.from([1, 2, 0, 3, 4]));
    const binary = await readDefault(createAction('read', { path: 'blob.bin' }), dir);
    expect(binary).toMatchObject({ observation: 'error', content: 'ERROR_BINARY_FILE' });
  });

  it('§4.4 images and PDFs come back as base64 data URLs', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    await writeFile(join(dir, 'pic.PNG'), png);
    const image = await readDefault(createAction('read', { path: 'pic.PNG' }), dir);
    expect(image.content).toBe(`data:image/png;base64,${png.toString('base64')}`);
    await writeFile(join(dir, 'doc.pdf'), '%PDF-1.4\n');
    const pdf = await readDefault(createAction('read', { path: 'doc.pdf' }), dir);
    expect(pdf.content).toBe(`data:application/pdf;base64,${Buffer.from('%PDF-1.4\n').toString('base64')}`);
  });
});

describe('default write (reference §4.4)', () => {
  it('§4.4 creates parent dirs and a new file with mode 0664 and content ""', async () => {
    const target = join(dir, 'new', 'deep', 'file.txt');
    const observation = await writeDefault(
      createAction('write', { path: 'new/deep/file.txt', content: 'hi\n' }),
      dir,
    );
    expect(observation).toMatchObject({ observation: 'write', content: '', extras: { path: target } });
    expect(await readFile(target, 'utf8')).toBe('hi\n');
    expect((await stat(target)).mode & 0o777).toBe(0o664);
  });

  it('§4.4 splices into an existing file: lines before start and from end on are kept; mode is kept', async () => {
    const target = join(dir, 'splice.txt');
    await writeFile(target, '0\n1\n2\n3\n4');
    await chmod(target, 0o600);
    await writeDefault(createAction('write', { path: target, content: 'X\nY', start: 1, end: 3 }), dir);
    expect(await readFile(target, 'utf8')).toBe('0\nX\nY\n3\n4');
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    await writeDefault(createAction('write', { path: target, content: 'whole' }), dir);
    expect(await readFile(target, 'utf8')).toBe('whole');
  });

  it('§4.4 a directory is refused with the exact text', async () => {
    const observation = await writeDefault(createAction('write', { path: dir, content: 'x' }), '/');
    expect(observation).toMatchObject({
      observation: 'error',
      content: `Path is a directory: ${dir}. You can only write to files`,
    });
  });
});
