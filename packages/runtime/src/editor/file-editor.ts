import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join } from 'node:path';
import {
  BINARY_VIEW_ONLY_EXTENSIONS,
  EDITOR_COMMANDS,
  EditorError,
  formatValue,
  HISTORY_LIMIT,
  invalidParameter,
  invalidPath,
  MAX_FILE_BYTES,
  missingParameter,
  SNIPPET_CONTEXT_WINDOW,
} from './messages.js';
import { expandTabs, lineOf, lineRange, numbered } from './text.js';

export interface EditorCommand {
  command: string;
  path: string;
  file_text?: string | null;
  old_str?: string | null;
  new_str?: string | null;
  insert_line?: number | string | null;
  view_range?: unknown;
}

export interface EditorResult {
  output: string;
  prevExist: boolean;
  /** file content before and after, for the observation's diff (absent for view) */
  before?: string;
  after?: string;
}

/**
 * The str_replace_editor of reference §4.4 (OHEditor semantics): view, create, str_replace, insert and
 * undo_edit with a per-file history. Failures throw EditorError with the reference's exact text.
 */
export class FileEditor {
  readonly #history = new Map<string, string[]>();
  readonly #workspaceRoot: string;

  constructor(options: { workspaceRoot: string }) {
    this.#workspaceRoot = options.workspaceRoot;
  }

  async run(input: EditorCommand): Promise<EditorResult> {
    const { command, path } = input;
    if (!(EDITOR_COMMANDS as readonly string[]).includes(command)) {
      throw new EditorError(
        `Unrecognized command ${command}. The allowed commands for the oh_editor tool are: ${EDITOR_COMMANDS.join(', ')}`,
      );
    }
    const info = await this.#validatePath(command, path);
    switch (command) {
      case 'view':
        return {
          output: info?.isDirectory()
            ? await this.#viewDirectory(path, input.view_range)
            : await this.#viewFile(path, input.view_range),
          prevExist: true,
        };
      case 'create':
        return this.#create(path, input.file_text);
      case 'str_replace':
        return this.#strReplace(path, input.old_str, input.new_str);
      case 'insert':
        return this.#insert(path, input.insert_line, input.new_str);
      default:
        return this.#undo(path);
    }
  }

  async #validatePath(command: string, path: string): Promise<import('node:fs').Stats | null> {
    if (!isAbsolute(path)) {
      const suggestion = join(this.#workspaceRoot, path);
      const hint = existsSync(suggestion) ? ` Maybe you meant ${suggestion}?` : '';
      throw invalidPath(path, `The path should be an absolute path, starting with \`/\`.${hint}`);
    }
    const info = await stat(path).catch(() => null);
    if (command === 'create') {
      if (info)
        throw invalidPath(
          path,
          `File already exists at: ${path}. Cannot overwrite files using command \`create\`.`,
        );
      return null;
    }
    if (!info) throw invalidPath(path, `The path ${path} does not exist. Please provide a valid path.`);
    if (command !== 'view' && info.isDirectory()) {
      throw invalidPath(
        path,
        `The path ${path} is a directory and only the \`view\` command can be used on directories.`,
      );
    }
    const extension = extname(path).toLowerCase();
    if (command !== 'view' && BINARY_VIEW_ONLY_EXTENSIONS.includes(extension)) {
      throw invalidPath(
        path,
        `The path ${path} points to a binary file (${extension}) and only the \`view\` command can be used on supported binary files.`,
      );
    }
    return info;
  }

  async #viewFile(path: string, viewRange: unknown): Promise<string> {
    const content = await readText(path);
    if (viewRange === undefined || viewRange === null) return numbered(content, path);
    if (!Array.isArray(viewRange) || viewRange.length !== 2 || !viewRange.every((n) => Number.isInteger(n))) {
      throw invalidParameter('view_range', viewRange, 'It should be a list of two integers.');
    }
    const lines = content.split('\n');
    const total = lines.length;
    const [start, requestedEnd] = viewRange as [number, number];
    if (start < 1 || start > total) {
      throw invalidParameter(
        'view_range',
        viewRange,
        `Its first element \`${start}\` should be within the range of lines of the file: ${formatValue([1, total])}.`,
      );
    }
    let prefix = '';
    let end = requestedEnd;
    if (end === -1) end = total;
    else if (end > total) {
      prefix = `NOTE: We only show up to ${total} since there're only ${total} lines in this file.\n`;
      end = total;
    } else if (end < start) {
      throw invalidParameter(
        'view_range',
        viewRange,
        `Its second element \`${requestedEnd}\` should be greater than or equal to the first element \`${start}\`.`,
      );
    }
    return prefix + numbered(lines.slice(start - 1, end).join('\n'), path, start);
  }

  async #viewDirectory(path: string, viewRange: unknown): Promise<string> {
    if (viewRange !== undefined && viewRange !== null) {
      throw invalidParameter(
        'view_range',
        viewRange,
        'The `view_range` parameter is not allowed when `path` points to a directory.',
      );
    }
    const root = path.length > 1 ? path.replace(/\/+$/, '') : path;
    const entries: string[] = [`${root}/`];
    let hidden = 0;
    for (const first of await readdir(root, { withFileTypes: true })) {
      if (first.name.startsWith('.')) {
        hidden++;
        continue;
      }
      const firstPath = join(root, first.name);
      const firstIsDir = await isDirectory(firstPath);
      entries.push(firstIsDir ? `${firstPath}/` : firstPath);
      if (!firstIsDir) continue;
      for (const second of await readdir(firstPath).catch(() => [] as string[])) {
        if (second.startsWith('.')) continue;
        const secondPath = join(firstPath, second);
        entries.push((await isDirectory(secondPath)) ? `${secondPath}/` : secondPath);
      }
    }
    // `find | sort` order on the plain paths (byte order), then directories get their slash.
    entries.sort((a, b) => compareBytes(a.replace(/\/$/, ''), b.replace(/\/$/, '')));
    let output = `Here's the files and directories up to 2 levels deep in ${path}, excluding hidden items:\n${entries.join('\n')}`;
    if (hidden > 0) {
      output += `\n\n${hidden} hidden files/directories in this directory are excluded. You can use 'ls -la ${path}' to see them.`;
    }
    return output;
  }

  async #create(path: string, fileText: string | null | undefined): Promise<EditorResult> {
    if (fileText === undefined || fileText === null) throw missingParameter('file_text', 'create');
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, fileText, { mode: 0o664 });
    this.#remember(path, fileText);
    return { output: `File created successfully at: ${path}`, prevExist: false, before: '', after: fileText };
  }

  async #strReplace(
    path: string,
    oldStr: string | null | undefined,
    newStrInput: string | null | undefined,
  ): Promise<EditorResult> {
    if (oldStr === undefined || oldStr === null) throw missingParameter('old_str', 'str_replace');
    if (newStrInput === oldStr) {
      throw invalidParameter(
        'new_str',
        newStrInput,
        'No replacement was performed. `new_str` and `old_str` must be different.',
      );
    }
    const content = await readText(path);
    let search = oldStr;
    let newStr = newStrInput ?? '';
    let matches = occurrences(content, search);
    if (matches.length === 0) {
      search = oldStr.trim();
      newStr = newStr.trim();
      matches = search ? occurrences(content, search) : [];
      if (matches.length === 0) {
        throw new EditorError(
          `No replacement was performed, old_str \`${search}\` did not appear verbatim in ${path}.`,
        );
      }
    }
    if (matches.length > 1) {
      const lines = [...new Set(matches.map((offset) => lineOf(content, offset)))].sort((a, b) => a - b);
      throw new EditorError(
        `No replacement was performed. Multiple occurrences of old_str \`${search}\` in lines ${formatValue(lines)}. Please ensure it is unique.`,
      );
    }
    const offset = matches[0]!;
    const updated = content.slice(0, offset) + newStr + content.slice(offset + search.length);
    await writeFile(path, updated);
    this.#remember(path, content);
    const replacementLine = lineOf(content, offset);
    const startLine = Math.max(0, replacementLine - SNIPPET_CONTEXT_WINDOW);
    const endLine = replacementLine + SNIPPET_CONTEXT_WINDOW + (newStr.match(/\n/g)?.length ?? 0);
    const snippet = lineRange(updated, startLine + 1, endLine);
    const output = `The file ${path} has been edited. ${numbered(snippet, `a snippet of ${path}`, startLine + 1)}Review the changes and make sure they are as expected. Edit the file again if necessary.`;
    return { output, prevExist: true, before: content, after: updated };
  }

  async #insert(
    path: string,
    insertLineInput: number | string | null | undefined,
    newStr: string | null | undefined,
  ): Promise<EditorResult> {
    if (insertLineInput === undefined || insertLineInput === null)
      throw missingParameter('insert_line', 'insert');
    if (newStr === undefined || newStr === null) throw missingParameter('new_str', 'insert');
    const insertLine = typeof insertLineInput === 'string' ? Number(insertLineInput) : insertLineInput;
    if (!Number.isInteger(insertLine))
      throw new EditorError(`Invalid insert_line value: '${insertLineInput}'. Expected an integer.`);
    const content = await readText(path);
    const lines = content.split('\n');
    if (insertLine < 0 || insertLine > lines.length) {
      throw invalidParameter(
        'insert_line',
        insertLine,
        `It should be within the range of allowed values: ${formatValue([0, lines.length])}`,
      );
    }
    const newLines = expandTabs(newStr).split('\n');
    const updated = [...lines.slice(0, insertLine), ...newLines, ...lines.slice(insertLine)].join('\n');
    const snippet = [
      ...lines.slice(Math.max(0, insertLine - SNIPPET_CONTEXT_WINDOW), insertLine),
      ...newLines,
      ...lines.slice(insertLine, insertLine + SNIPPET_CONTEXT_WINDOW),
    ].join('\n');
    await writeFile(path, updated);
    this.#remember(path, content);
    const output = `The file ${path} has been edited. ${numbered(snippet, 'a snippet of the edited file', Math.max(1, insertLine - SNIPPET_CONTEXT_WINDOW + 1))}Review the changes and make sure they are as expected (correct indentation, no duplicate lines, etc). Edit the file again if necessary.`;
    return { output, prevExist: true, before: content, after: updated };
  }

  async #undo(path: string): Promise<EditorResult> {
    const previous = this.#history.get(path)?.pop();
    if (previous === undefined) throw new EditorError(`No edit history found for ${path}.`);
    const current = await readText(path);
    await writeFile(path, previous);
    return {
      output: `Last edit to ${path} undone successfully. ${numbered(previous, path)}`,
      prevExist: true,
      before: current,
      after: previous,
    };
  }

  #remember(path: string, content: string): void {
    const entries = this.#history.get(path) ?? [];
    entries.push(content);
    if (entries.length > HISTORY_LIMIT) entries.shift();
    this.#history.set(path, entries);
  }
}

/** Reads a text file after the reference's validation: size limit, binary and encoding checks. */
export async function readText(path: string): Promise<string> {
  const info = await stat(path);
  if (info.size > MAX_FILE_BYTES) {
    throw new EditorError(
      `File validation failed for ${path}: File is too large (${(info.size / 1024 / 1024).toFixed(1)}MB). Maximum allowed size is 10MB.`,
    );
  }
  const bytes = await readFile(path);
  if (bytes.subarray(0, 8192).includes(0)) {
    throw new EditorError(
      `File validation failed for ${path}: File appears to be binary and this file type cannot be read or edited by this tool.`,
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new EditorError(
      `File validation failed for ${path}: File is not valid UTF-8 text and cannot be read or edited by this tool.`,
    );
  }
}

function occurrences(text: string, search: string): number[] {
  const found: number[] = [];
  for (let index = text.indexOf(search); index !== -1; index = text.indexOf(search, index + 1))
    found.push(index);
  return found;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
