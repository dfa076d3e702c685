import { structuredPatch } from 'diff';

/**
 * A unified diff of a whole file before/after, in the shape of Python's difflib.unified_diff with
 * lineterm='' (reference Appendix A: `--- /p\n+++ /p\n@@ -1 +1 @@\n-x = 1\n+x = 2`).
 */
export function unifiedDiff(path: string, before: string, after: string): string {
  const patch = structuredPatch(path, path, before, after, '', '', { context: 3 });
  if (patch.hunks.length === 0) return '';
  const lines = [`--- ${path}`, `+++ ${path}`];
  for (const hunk of patch.hunks) {
    lines.push(`@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@`);
    for (const line of hunk.lines) if (!line.startsWith('\\')) lines.push(line);
  }
  return lines.join('\n');
}

function range(start: number, length: number): string {
  if (length === 1) return String(start);
  return `${length === 0 ? Math.max(0, start) : start},${length}`;
}
