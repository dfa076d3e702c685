import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { type ActionEvent, createObservation, type ObservationEvent } from '@deft/protocol';

const DATA_URL_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.bmp': 'image/bmp',
  '.gif': 'image/gif',
  '.pdf': 'application/pdf',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.ogg': 'video/ogg',
};

/** reference §4.4 `read` (default implementation). */
export async function readDefault(action: ActionEvent<'read'>, cwd: string): Promise<ObservationEvent> {
  const path = isAbsolute(action.args.path) ? action.args.path : resolve(cwd, action.args.path);
  const info = await stat(path).catch(() => null);
  if (!info) return error(`File not found: ${path}. Your current working directory is ${cwd}.`);
  if (info.isDirectory()) return error(`Path is a directory: ${path}. You can only read files`);
  const bytes = await readFile(path);
  const mime = DATA_URL_TYPES[extname(path).toLowerCase()];
  if (mime)
    return createObservation('read', `data:${mime};base64,${bytes.toString('base64')}`, {
      path,
      impl_source: 'default',
    });
  if (bytes.subarray(0, 8192).includes(0)) return error('ERROR_BINARY_FILE');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return error(`File could not be decoded as utf-8: ${path}.`);
  }
  const { start, end } = action.args;
  if (start !== 0 || end !== -1) {
    const lines = text.split('\n');
    text = lines.slice(Math.max(0, start), end === -1 ? undefined : end).join('\n');
  }
  return createObservation('read', text, { path, impl_source: 'default' });
}

/** reference §4.4 `write`: new files whole; existing files keep the lines before `start` and from `end` on. */
export async function writeDefault(action: ActionEvent<'write'>, cwd: string): Promise<ObservationEvent> {
  const path = isAbsolute(action.args.path) ? action.args.path : resolve(cwd, action.args.path);
  const info = await stat(path).catch(() => null);
  if (info?.isDirectory()) return error(`Path is a directory: ${path}. You can only write to files`);
  try {
    if (!info) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, action.args.content, { mode: 0o664 });
      // The create mode is masked by the process umask (usually 022); §4.4 wants exactly 0664.
      await chmod(path, 0o664);
    } else {
      const lines = (await readFile(path, 'utf8')).split('\n');
      const { start, end } = action.args;
      const before = lines.slice(0, Math.max(0, start));
      const after = end === -1 ? [] : lines.slice(end);
      await writeFile(path, [...before, action.args.content, ...after].join('\n'));
    }
  } catch (cause) {
    return error(`File ${path} could not be written: ${(cause as Error).message}`);
  }
  return createObservation('write', '', { path });
}

function error(content: string): ObservationEvent {
  return createObservation('error', content, { error_id: '' });
}
