import { CLIPPED_NOTICE, MAX_VIEW_CHARS } from './messages.js';

/** Python's str.expandtabs(8). */
export function expandTabs(text: string, size = 8): string {
  return text
    .split('\n')
    .map((line) => {
      let out = '';
      for (const char of line) {
        if (char === '\t') out += ' '.repeat(size - (out.length % size));
        else out += char;
      }
      return out;
    })
    .join('\n');
}

export function clip(text: string, limit = MAX_VIEW_CHARS): string {
  return text.length > limit ? text.slice(0, limit) + CLIPPED_NOTICE : text;
}

/** `cat -n` style output: 6-wide right-aligned numbers, a TAB, the line; a trailing newline. */
export function numbered(content: string, description: string, startLine = 1): string {
  const body = expandTabs(clip(content))
    .split('\n')
    .map((line, index) => `${String(index + startLine).padStart(6)}\t${line}`)
    .join('\n');
  return `Here's the result of running \`cat -n\` on ${description}:\n${body}\n`;
}

/** Lines start..end (1-based, inclusive) of the text, as the reference's read_file(start_line, end_line). */
export function lineRange(text: string, startLine: number, endLine?: number): string {
  const lines = text.split('\n');
  return lines.slice(startLine - 1, endLine).join('\n');
}

/** 1-based line number of a character offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
