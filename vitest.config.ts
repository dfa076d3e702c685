import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = ['protocol', 'runtime', 'sandbox', 'agent', 'server', 'web', 'cli'];
const root = fileURLToPath(new URL('.', import.meta.url));

// Tests run against the TypeScript sources, not the built dist, so a test never sees stale output.
export default defineConfig({
  resolve: {
    alias: [
      { find: '@deft/testkit', replacement: `${root}testkit/index.ts` },
      ...packages.map((name) => ({
        find: new RegExp(`^@deft/${name}$`),
        replacement: `${root}packages/${name}/src/index.ts`,
      })),
    ],
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'testkit/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
    reporters: ['default'],
  },
});
