import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The bundled sandbox runtime in this repository (what `npm run build` writes). */
const RUNTIME_BUNDLE = fileURLToPath(new URL('../packages/runtime/dist/bundle/runtime.mjs', import.meta.url));

/** Why tests with a real sandbox cannot run here ('' when they can: bubblewrap works and the bundle exists). */
export const SANDBOX_SKIP_REASON =
  existsSync(RUNTIME_BUNDLE) &&
  spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-pid', 'true']).status === 0
    ? ''
    : 'bubblewrap or the runtime bundle is missing (npm test provides both)';
