/** reference §4.4: the str_replace_editor texts, character for character. */
export const SNIPPET_CONTEXT_WINDOW = 4;
export const MAX_VIEW_CHARS = 16_000;
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const HISTORY_LIMIT = 10;
export const BINARY_VIEW_ONLY_EXTENSIONS = [
  '.docx',
  '.xlsx',
  '.pptx',
  '.pdf',
  '.mp3',
  '.wav',
  '.m4a',
  '.flac',
];
export const EDITOR_COMMANDS = ['view', 'create', 'str_replace', 'insert', 'undo_edit'] as const;

export const CLIPPED_NOTICE =
  '<response clipped><NOTE>Due to the max output limit, only part of this file has been shown to you. You should retry this tool after you have searched inside the file with `grep -n` in order to find the line numbers of what you are looking for.</NOTE>';

/** An editor failure; the observation shows it as `ERROR:\n<message>`. */
export class EditorError extends Error {}

export const invalidPath = (path: string, reason: string) =>
  new EditorError(`Invalid \`path\` parameter: ${path}. ${reason}`);
export const invalidParameter = (name: string, value: unknown, hint: string) =>
  new EditorError(`Invalid \`${name}\` parameter: ${formatValue(value)}. ${hint}`);
export const missingParameter = (name: string, command: string) =>
  new EditorError(`Parameter \`${name}\` is required for command: ${command}.`);

/** Values are printed the way the reference's Python prints them: lists as `[1, 2]`. */
export function formatValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (value === null || value === undefined) return 'None';
  return String(value);
}
