/**
 * The prompt marker: bash prints it from PROMPT_COMMAND before every prompt, so its appearance means the
 * last command finished, and its JSON carries the exit code and the shell's state (reference §4.3 PS1 block).
 */
export const MARKER_START = '###DEFT-PS1-7f3a###';
export const MARKER_END = '###DEFT-PS1-END###';

export type PromptState = {
  exit_code: number;
  pid: number;
  username: string;
  hostname: string;
  working_dir: string;
  py_interpreter_path: string;
};

/**
 * Shell code that prints the marker; `$?` is captured first so nothing in between can change it. The marker
 * is spelled with a printf escape (\\x37 is '7') so that the code itself, if echoed, never looks like one.
 */
export const PROMPT_COMMAND = [
  '__deft_ec=$?',
  // Only builtins and variables here: the marker must print even when no process can be forked.
  `printf '\\n${MARKER_START.replace('7', '\\x37')}{"exit_code":%s,"pid":%s,"username":"%s","hostname":"%s","working_dir":"%s","py_interpreter_path":"%s"}${MARKER_END}\\n' "$__deft_ec" "\${!:--1}" "$__deft_user" "$__deft_host" "$PWD" "$__deft_py"`,
].join('; ');

/** Run once at start: the values the marker reports that would otherwise need a subprocess per prompt. */
export const PROMPT_SETUP =
  '__deft_user=$(id -un 2>/dev/null || echo unknown); __deft_host=$(hostname 2>/dev/null || cat /etc/hostname 2>/dev/null); __deft_py=$(command -v python3 2>/dev/null || command -v python 2>/dev/null)';

const MARKER_PATTERN = new RegExp(
  `\\r?\\n?${escapeRegExp(MARKER_START)}(\\{.*?\\})${escapeRegExp(MARKER_END)}\\r?\\n?`,
  's',
);

/** Finds the first complete marker in `buffer`: the text before it, the parsed state and the rest. */
export function findMarker(buffer: string): { before: string; state: PromptState; after: string } | null {
  const match = MARKER_PATTERN.exec(buffer);
  if (!match) return null;
  let state: PromptState;
  try {
    state = JSON.parse(match[1]!) as PromptState;
  } catch {
    // A path with a quote in it breaks the JSON: keep the exit code, which is always a number.
    const code = /"exit_code":(-?\d+)/.exec(match[1]!);
    state = {
      exit_code: code ? Number(code[1]) : -1,
      pid: -1,
      username: '',
      hostname: '',
      working_dir: '',
      py_interpreter_path: '',
    };
  }
  return { before: buffer.slice(0, match.index), state, after: buffer.slice(match.index + match[0].length) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
