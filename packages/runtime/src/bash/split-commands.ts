/**
 * Splits a command text into its top-level commands, the way the reference rejects "multiple commands at
 * once" (§4.3): a newline outside quotes, heredoc bodies, brace/paren groups and backslash continuations
 * separates commands; `;`, `&&`, `||`, `|` and `&` chain them into one.
 */
export function splitTopLevelCommands(text: string): string[] {
  const commands: string[] = [];
  let current = '';
  let quote: "'" | '"' | '`' | null = null;
  let depth = 0;
  let blocks = 0;
  const heredocs: { tag: string; stripTabs: boolean }[] = [];
  const lines = text.split('\n');

  for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
    const line = lines[lineIndex]!;
    if (heredocs.length > 0) {
      current += `${line}\n`;
      const body = heredocs[0]!.stripTabs ? line.replace(/^\t+/, '') : line;
      if (body === heredocs[0]!.tag) heredocs.shift();
      if (
        heredocs.length === 0 &&
        quote === null &&
        depth === 0 &&
        blocks === 0 &&
        lineIndex < lines.length - 1
      ) {
        commands.push(current.trim());
        current = '';
      }
      continue;
    }
    let unquoted = '';
    for (let i = 0; i < line.length; i++) {
      const char = line[i]!;
      if (quote) {
        if (char === '\\' && quote !== "'") {
          current += char + (line[i + 1] ?? '');
          i++;
          continue;
        }
        if (char === quote) quote = null;
        current += char;
        continue;
      }
      if (char === '\\') {
        current += char + (line[i + 1] ?? '');
        i++;
        continue;
      }
      if (char !== "'" && char !== '"' && char !== '`') unquoted += char;
      if (char === "'" || char === '"' || char === '`') quote = char;
      else if (char === '#' && (i === 0 || /\s/.test(line[i - 1]!))) break;
      else if (char === '(' || char === '{') depth++;
      else if ((char === ')' || char === '}') && depth > 0) depth--;
      else if (char === '<' && line[i + 1] === '<' && line[i + 2] !== '<') {
        const match = /^<<(-?)\s*(['"]?)([A-Za-z0-9_]+)\2/.exec(line.slice(i));
        if (match) heredocs.push({ tag: match[3]!, stripTabs: match[1] === '-' });
      }
      current += char;
    }
    blocks = Math.max(0, blocks + count(unquoted, OPENERS) - count(unquoted, CLOSERS));
    const continued =
      blocks > 0 ||
      quote !== null ||
      depth > 0 ||
      heredocs.length > 0 ||
      /\\$/.test(line) ||
      (/(\|\||&&|\||;)\s*$/.test(current.trimEnd()) && !/;\s*$/.test(current.trimEnd()));
    if (lineIndex < lines.length - 1) {
      if (continued) {
        current += '\n';
      } else {
        if (current.trim()) commands.push(current.trim());
        current = '';
      }
    }
  }
  if (current.trim()) commands.push(current.trim());
  return commands;
}

/** Compound commands span lines: if…fi, for/while/until/select…done, case…esac. */
const OPENERS = /(?:^|[\s;&|(])(?:if|for|while|until|case|select)(?=[\s;]|$)/g;
const CLOSERS = /(?:^|[\s;&|])(?:fi|done|esac)(?=[\s;&|)]|$)/g;

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}
