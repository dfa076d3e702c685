// Bundles the runtime into one file, dist/bundle/runtime.mjs, and copies node-pty (its only native part)
// beside it, so that dist/bundle/ runs with nothing but `node` — inside a sandbox or a container image.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const outDir = join(packageDir, 'dist', 'bundle');
const require = createRequire(import.meta.url);

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

await build({
  entryPoints: [join(packageDir, 'src', 'main.ts')],
  outfile: join(outDir, 'runtime.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['node-pty'],
  // CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
  banner: {
    js: "import { createRequire as __deftCreateRequire } from 'node:module'; const require = __deftCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
  legalComments: 'none',
});

const ptyDir = dirname(require.resolve('node-pty/package.json'));
const ptyOut = join(outDir, 'node_modules', 'node-pty');
for (const part of ['package.json', 'lib', join('build', 'Release', 'pty.node')]) {
  cpSync(join(ptyDir, part), join(ptyOut, part), {
    recursive: true,
    filter: (src) => !src.endsWith('.test.js') && !src.endsWith('.map'),
  });
}
