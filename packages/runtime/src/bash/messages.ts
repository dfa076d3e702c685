/** reference §4.3: the texts the agent sees around command output. */
export const TIMEOUT_MESSAGE =
  'You may wait longer to see additional output by sending empty command \'\', send other commands to interact with the current process, send keys ("C-c", "C-z", "C-d") to interrupt/kill the previous command before sending your new command, or use the timeout parameter in execute_bash for future commands.';

export const completedSuffix = (exitCode: number) => `\n[The command completed with exit code ${exitCode}.]`;
export const ctrlCSuffix = (exitCode: number) =>
  `\n[The command completed with exit code ${exitCode}. CTRL+C was sent.]`;
export const softTimeoutSuffix = (seconds: number) =>
  `\n[The command has no new output after ${seconds} seconds. ${TIMEOUT_MESSAGE}]`;
/** The hard timeout kills the command's whole process group, so the message says so instead of inviting a wait. */
export const hardTimeoutSuffix = (seconds: number) =>
  `\n[The command timed out after ${seconds} seconds. Its process group was killed; rerun it with a larger timeout if it needs more time.]`;
export const notExecutedSuffix = (command: string) =>
  `\n[Your command "${command}" is NOT executed. The previous command is still running - You CANNOT send new commands until the previous command is completed. By setting \`is_input\` to \`true\`, you can interact with the current process: ${TIMEOUT_MESSAGE}]`;
export const CONTINUED_PREFIX = '[Below is the output of the previous command.]\n';
export const NO_RUNNING_LOGS = 'ERROR: No previous running command to retrieve logs from.';
export const NO_RUNNING_INPUT = 'ERROR: No previous running command to interact with.';
export const TRUNCATION_MARKER = '\n[... Observation truncated due to length ...]\n';

export function multipleCommandsError(commands: string[]): string {
  const listed = commands.map((command, index) => `(${index + 1}) ${command}`).join('\n');
  return `ERROR: Cannot execute multiple commands at once.\nPlease run each command separately OR chain them into a single command via && or ;\nProvided commands:\n${listed}`;
}

/** Keeps the head and the tail of an over-long output with a marker in between (reference §3.3). */
export function truncateMiddle(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const half = Math.floor((maxChars - TRUNCATION_MARKER.length) / 2);
  return `${text.slice(0, half)}${TRUNCATION_MARKER}${text.slice(text.length - half)}`;
}
