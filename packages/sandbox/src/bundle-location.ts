import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the bundled runtime lives in this repository (packages/runtime/dist/bundle), found from this
 * package's own location — the sandbox package never imports the runtime's code.
 */
export function defaultRuntimeBundleDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    const candidate = join(dir, 'packages', 'runtime', 'dist', 'bundle');
    if (existsSync(join(candidate, 'runtime.mjs'))) return candidate;
    const sibling = join(dir, 'runtime', 'dist', 'bundle');
    if (existsSync(join(sibling, 'runtime.mjs'))) return sibling;
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'runtime', 'dist', 'bundle');
}
