import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkRepository, checkSource } from './import-rule.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('the import rule between packages (ARCHITECTURE.md)', () => {
  it('holds for every source and test file in the repository', () => {
    const violations = checkRepository(root);
    expect(violations.map((v) => `${v.file}:${v.line} ${v.specifier} — ${v.reason}`)).toEqual([]);
  });

  it('flags an agent file importing the sandbox or the server', () => {
    const file = join(root, 'packages/agent/src/x.ts');
    expect(checkSource('agent', file, "import { X } from '@deft/sandbox';", root)).toHaveLength(1);
    expect(checkSource('agent', file, "export * from '@deft/server';", root)).toHaveLength(1);
    expect(checkSource('agent', file, "const m = await import('@deft/server');", root)).toHaveLength(1);
  });

  it('flags a relative import that reaches into another package', () => {
    const file = join(root, 'packages/sandbox/src/process/x.ts');
    const violations = checkSource(
      'sandbox',
      file,
      "import { y } from '../../../runtime/src/main.js';",
      root,
    );
    expect(violations).toHaveLength(1);
    expect(violations[0]!.reason).toBe('sandbox must not import runtime');
  });

  it('allows the permitted directions and type-only protocol imports from web', () => {
    const server = join(root, 'packages/server/src/x.ts');
    expect(
      checkSource(
        'server',
        server,
        "import { a } from '@deft/agent';\nimport { s } from '@deft/sandbox';",
        root,
      ),
    ).toEqual([]);
    const web = join(root, 'packages/web/src/x.ts');
    expect(checkSource('web', web, "import type { DeftEvent } from '@deft/protocol';", root)).toEqual([]);
    expect(checkSource('web', web, "import { parseEvent } from '@deft/protocol';", root)).toHaveLength(1);
  });

  it('lets only tests import the testkit', () => {
    const src = join(root, 'packages/agent/src/llm/x.ts');
    expect(checkSource('agent', src, "import { startScriptedLlm } from '@deft/testkit';", root)).toHaveLength(
      1,
    );
    const test = join(root, 'packages/agent/src/llm/x.test.ts');
    expect(checkSource('agent', test, "import { startScriptedLlm } from '@deft/testkit';", root)).toEqual([]);
  });
});
