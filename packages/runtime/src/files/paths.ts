import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { DeftError } from '@deft/protocol';

/**
 * Resolves `path` (absolute, or relative to `base`) and proves it stays inside `root`: `..` segments,
 * absolute paths elsewhere and symlinks — at any depth — that point outside are all refused. The deepest
 * existing ancestor is resolved with realpath, so a path that does not exist yet is checked too.
 */
export async function resolveInside(root: string, path: string, base = root): Promise<string> {
  const realRoot = await realpath(root);
  const candidate = resolve(isAbsolute(path) ? path : resolve(base, path));
  const real = await realpathOfDeepestExisting(candidate);
  if (!isWithin(realRoot, real)) {
    throw new DeftError('PATH_OUTSIDE_WORKSPACE', `Path is outside the workspace: ${path}`, {
      details: { path },
    });
  }
  return real;
}

export function isWithin(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

async function realpathOfDeepestExisting(path: string): Promise<string> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      const real = await realpath(current);
      return missing.length ? resolve(real, ...missing.reverse()) : real;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const parent = dirname(current);
      if (parent === current) return path;
      missing.push(current.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
      current = parent;
    }
  }
}
