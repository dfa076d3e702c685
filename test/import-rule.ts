import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** ARCHITECTURE.md: the one rule between packages. Every package may also import itself. */
export const ALLOWED_IMPORTS: Record<string, readonly string[]> = {
  protocol: [],
  runtime: ['protocol'],
  sandbox: ['protocol'],
  agent: ['protocol'],
  server: ['protocol', 'sandbox', 'agent'],
  cli: ['protocol', 'server'],
  web: ['protocol'],
};

export interface ImportViolation {
  file: string;
  line: number;
  specifier: string;
  reason: string;
}

const IMPORT_PATTERN =
  /(?:^|[^\w.])(?:import|export)\s+(type\s+)?(?:[^'"`;]*?\sfrom\s+)?['"]([^'"]+)['"]|(?:^|[^\w.])import\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Checks one file's source. `fromPackage` is the package the file belongs to; `filePath` is absolute. */
export function checkSource(
  fromPackage: string,
  filePath: string,
  source: string,
  repoRoot: string,
): ImportViolation[] {
  const violations: ImportViolation[] = [];
  const isTest = /\.test\.ts$|[/\\]testing[/\\]|[/\\]test[/\\]/.test(filePath);
  for (const match of source.matchAll(IMPORT_PATTERN)) {
    const typeOnly = Boolean(match[1]);
    const specifier = (match[2] ?? match[3])!;
    const line = source.slice(0, match.index).split('\n').length;
    const target = targetPackage(specifier, filePath, repoRoot);
    if (target === 'testkit') {
      if (!isTest)
        violations.push({ file: filePath, line, specifier, reason: 'testkit may only be imported by tests' });
      continue;
    }
    if (target === null || target === fromPackage) continue;
    const allowed = ALLOWED_IMPORTS[fromPackage] ?? [];
    if (!allowed.includes(target)) {
      violations.push({
        file: filePath,
        line,
        specifier,
        reason: `${fromPackage} must not import ${target}`,
      });
    } else if (fromPackage === 'web' && !typeOnly) {
      violations.push({
        file: filePath,
        line,
        specifier,
        reason: 'web may import only protocol types (import type)',
      });
    }
  }
  return violations;
}

/** The package a specifier points into: @deft/<name>, or a relative path that leaves the package. */
function targetPackage(specifier: string, filePath: string, repoRoot: string): string | null {
  const scoped = /^@deft\/([a-z-]+)/.exec(specifier);
  if (scoped) return scoped[1]!;
  if (!specifier.startsWith('.')) return null;
  const resolved = relative(repoRoot, resolve(dirname(filePath), specifier)).split(sep);
  if (resolved[0] === 'testkit') return 'testkit';
  if (resolved[0] === 'packages' && resolved[1]) return resolved[1];
  return null;
}

export function checkRepository(repoRoot: string): ImportViolation[] {
  const violations: ImportViolation[] = [];
  for (const pkg of Object.keys(ALLOWED_IMPORTS)) {
    for (const dir of ['src', 'test']) {
      for (const file of listTypeScript(join(repoRoot, 'packages', pkg, dir))) {
        violations.push(...checkSource(pkg, file, readFileSync(file, 'utf8'), repoRoot));
      }
    }
  }
  return violations;
}

function listTypeScript(dir: string): string[] {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'dist' ? [] : listTypeScript(path);
    return /\.(ts|tsx|mts)$/.test(entry.name) ? [path] : [];
  });
}
