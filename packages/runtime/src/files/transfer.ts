import { createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeftError } from '@deft/protocol';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { resolveInside } from './paths.js';

export interface TransferContext {
  cwd: string;
  workspaceRoot: string;
}

/** reference §4.2 POST /list_files: dirs first (suffixed /), then files, each case-insensitively sorted. */
export async function listFiles(path: string | null, ctx: TransferContext): Promise<string[]> {
  let dir: string;
  try {
    dir = await resolveInside(ctx.workspaceRoot, path ?? ctx.cwd, ctx.cwd);
  } catch (error) {
    if (error instanceof DeftError) throw error;
    return [];
  }
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) return [];
  const dirs: string[] = [];
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const isDir =
      entry.isDirectory() ||
      (entry.isSymbolicLink() && (await stat(join(dir, entry.name)).catch(() => null))?.isDirectory());
    (isDir ? dirs : files).push(isDir ? `${entry.name}/` : entry.name);
  }
  const byName = (a: string, b: string) => a.toLowerCase().localeCompare(b.toLowerCase());
  return [...dirs.sort(byName), ...files.sort(byName)];
}

/** reference §4.2 POST /upload_file: a file into an absolute destination dir; zips (or recursive) are extracted. */
export async function receiveUpload(
  input: { filename: string; stream: Readable; destination: string; recursive: boolean },
  ctx: TransferContext,
): Promise<{ filename: string; destination: string; recursive: boolean }> {
  if (!isAbsolute(input.destination))
    throw new DeftError('RUNTIME_BAD_REQUEST', 'Destination must be an absolute path');
  const isZip = input.filename.toLowerCase().endsWith('.zip');
  if (input.recursive && !isZip)
    throw new DeftError('RUNTIME_BAD_REQUEST', 'Recursive uploads must be zip files');
  const destination = await resolveInside(ctx.workspaceRoot, input.destination);
  const name = basename(input.filename);
  if (!name || name === '.' || name === '..') throw new DeftError('RUNTIME_BAD_REQUEST', 'Invalid file name');
  await mkdir(destination, { recursive: true });
  const target = await resolveInside(ctx.workspaceRoot, join(destination, name));
  await pipeline(input.stream, createWriteStream(target, { mode: 0o664 }));
  if (isZip) {
    try {
      await extractZip(target, destination, ctx.workspaceRoot);
    } catch (error) {
      if (error instanceof DeftError) throw error;
      // yauzl refuses `../` and absolute entry names itself (zip-slip); anything else is a broken archive.
      const message = (error as Error).message;
      if (/relative path|absolute path/.test(message)) {
        throw new DeftError('PATH_OUTSIDE_WORKSPACE', `Zip entry is outside the workspace: ${message}`);
      }
      throw new DeftError('RUNTIME_BAD_REQUEST', `Invalid zip file: ${message}`);
    } finally {
      await rm(target, { force: true });
    }
  }
  return { filename: input.filename, destination: input.destination, recursive: input.recursive };
}

/** reference §4.2 GET /download_files: the tree under an absolute path as `<basename>.zip`. */
export async function createDownloadZip(
  path: string,
  ctx: TransferContext,
): Promise<{ filename: string; stream: Readable }> {
  if (!isAbsolute(path)) throw new DeftError('RUNTIME_BAD_REQUEST', 'Path must be an absolute path');
  const root = await resolveInside(ctx.workspaceRoot, path);
  const info = await stat(root).catch(() => null);
  if (!info) throw new DeftError('FILE_NOT_FOUND', 'File not found');
  const zip = new yazl.ZipFile();
  if (info.isDirectory()) await addTree(zip, root, root, ctx.workspaceRoot);
  else zip.addFile(root, basename(root));
  zip.end();
  return { filename: `${basename(root) || 'workspace'}.zip`, stream: zip.outputStream as Readable };
}

async function addTree(zip: yazl.ZipFile, root: string, dir: string, workspaceRoot: string): Promise<void> {
  for (const entry of await readdir(dir)) {
    const full = join(dir, entry);
    const info = await lstat(full);
    // A symlink is followed only when it stays inside the workspace.
    const target = info.isSymbolicLink() ? await resolveInside(workspaceRoot, full).catch(() => null) : full;
    if (!target) continue;
    const real = info.isSymbolicLink() ? await stat(target).catch(() => null) : info;
    if (!real) continue;
    const name = relative(root, full);
    if (real.isDirectory()) {
      zip.addEmptyDirectory(name);
      if (!info.isSymbolicLink()) await addTree(zip, root, full, workspaceRoot);
    } else if (real.isFile()) zip.addFile(target, name);
  }
}

/** Extracts a zip, refusing any entry that would land outside the workspace (zip-slip). */
async function extractZip(file: string, destination: string, workspaceRoot: string): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, strictFileNames: false }, (error, opened) =>
      error ? reject(error) : resolve(opened!),
    ),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          const target = await resolveInside(workspaceRoot, join(destination, entry.fileName));
          if (entry.fileName.endsWith('/')) {
            await mkdir(target, { recursive: true });
          } else {
            await mkdir(dirname(target), { recursive: true });
            const stream = await new Promise<Readable>((res, rej) =>
              zip.openReadStream(entry, (e, s) => (e ? rej(e) : res(s!))),
            );
            await pipeline(stream, createWriteStream(target, { mode: 0o664 }));
          }
          zip.readEntry();
        })().catch(reject);
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}
