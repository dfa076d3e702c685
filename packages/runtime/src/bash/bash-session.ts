import { type IPty, spawn } from 'node-pty';
import {
  CONTINUED_PREFIX,
  completedSuffix,
  ctrlCSuffix,
  hardTimeoutSuffix,
  multipleCommandsError,
  NO_RUNNING_INPUT,
  NO_RUNNING_LOGS,
  notExecutedSuffix,
  softTimeoutSuffix,
  truncateMiddle,
} from './messages.js';
import {
  foregroundProcessGroup,
  killProcessGroup,
  processGroupMembers,
  sessionMembers,
} from './process-tree.js';
import { findMarker, PROMPT_COMMAND, PROMPT_SETUP, type PromptState } from './prompt-marker.js';
import { splitTopLevelCommands } from './split-commands.js';

export interface BashSessionOptions {
  cwd: string;
  env?: Record<string, string>;
  shell?: string;
  /** seconds without new output before a non-blocking command returns what it has (reference: 10) */
  softTimeoutSeconds?: number;
  /** hard timeout for a command whose action has none */
  defaultHardTimeoutSeconds?: number;
  maxOutputChars?: number;
}

export interface CommandRequest {
  command: string;
  isInput?: boolean;
  blocking?: boolean;
  /** seconds; the hard timeout */
  timeout?: number | null;
}

/** The result of one `run` action, before it is shaped into an observation. */
export interface CommandResult {
  kind: 'output' | 'error';
  content: string;
  exitCode: number;
  metadata: PromptState & { prefix: string; suffix: string };
}

/**
 * One persistent interactive bash in a PTY (reference §4.3). Command ends and exit codes come from a
 * prompt marker printed by PROMPT_COMMAND; job control gives every command its own process group, so a
 * hard timeout or C-c reaches all of it. Echo and line editing are off, so output is exactly what the
 * command printed.
 */
export class BashSession {
  readonly #options: Required<Omit<BashSessionOptions, 'env'>> & { env: Record<string, string> };
  #pty: IPty | undefined;
  #ready: Promise<void> | undefined;
  #buffer = '';
  #lastDataAt = 0;
  #listeners = new Set<() => void>();
  #running = false;
  #returned = 0;
  #exited: number | undefined;
  #state: PromptState;

  constructor(options: BashSessionOptions) {
    this.#options = {
      shell: '/bin/bash',
      softTimeoutSeconds: 10,
      defaultHardTimeoutSeconds: 120,
      maxOutputChars: 30_000,
      env: {},
      ...options,
    };
    this.#state = {
      exit_code: -1,
      pid: -1,
      username: '',
      hostname: '',
      working_dir: options.cwd,
      py_interpreter_path: '',
    };
  }

  get pid(): number | undefined {
    return this.#pty?.pid;
  }

  get cwd(): string {
    return this.#state.working_dir || this.#options.cwd;
  }

  get isReady(): boolean {
    return this.#pty !== undefined && this.#exited === undefined && !this.#ready;
  }

  /** Starts bash (again, if it died) and resolves at its first prompt. */
  start(): Promise<void> {
    if (this.#pty && this.#exited === undefined) return this.#ready ?? Promise.resolve();
    this.#exited = undefined;
    this.#buffer = '';
    this.#running = false;
    const pty = spawn(this.#options.shell, ['--noprofile', '--norc', '--noediting', '-i'], {
      name: 'xterm',
      cols: 1000,
      rows: 100,
      cwd: this.cwd,
      env: { ...defaultEnv(), ...this.#options.env },
    });
    this.#pty = pty;
    pty.onData((data) => {
      this.#buffer += data;
      this.#lastDataAt = Date.now();
      for (const listener of [...this.#listeners]) listener();
    });
    pty.onExit(({ exitCode }) => {
      if (this.#pty !== pty) return;
      this.#exited = exitCode;
      for (const listener of [...this.#listeners]) listener();
    });
    // Echo off first, on its own line, so the rest of the set-up is never echoed back.
    pty.write('stty -echo -onlcr 2>/dev/null\n');
    const init = [
      'set +H',
      "PS1=''",
      "PS2=''",
      'unset HISTFILE',
      'alias git="git --no-pager"',
      PROMPT_SETUP,
      `PROMPT_COMMAND='${PROMPT_COMMAND.replace(/'/g, "'\\''")}'`,
    ].join('; ');
    pty.write(`${init}\n`);
    this.#ready = this.#waitForMarker(30_000).then((found) => {
      this.#ready = undefined;
      if (!found) throw new Error('bash did not show its first prompt');
      this.#buffer = '';
    });
    return this.#ready;
  }

  async execute(request: CommandRequest): Promise<CommandResult> {
    if (!this.#pty || this.#exited !== undefined) await this.start();
    else if (this.#ready) await this.#ready;
    const command = request.command.replace(/\n+$/, '');
    const isSpecialKey = /^C-[a-zA-Z]$/.test(command.trim());

    if (!this.#running) {
      if (request.isInput) return this.#message(NO_RUNNING_INPUT);
      if (command.trim() === '') return this.#message(NO_RUNNING_LOGS);
      const commands = splitTopLevelCommands(command);
      if (commands.length > 1) return { ...this.#message(multipleCommandsError(commands)), kind: 'error' };
      this.#buffer = '';
      this.#returned = 0;
      this.#running = true;
      this.#pty!.write(`${command}\n`);
      return this.#await(request, { continuation: false, ctrlC: false });
    }

    if (request.isInput) {
      if (isSpecialKey) this.#pty!.write(controlCharacter(command.trim()));
      else this.#pty!.write(`${command}\n`);
      return this.#await(request, { continuation: true, ctrlC: command.trim() === 'C-c' });
    }
    if (command.trim() === '') return this.#await(request, { continuation: true, ctrlC: false });
    const partial = this.#takeNewOutput();
    return this.#result(partial, -1, { prefix: CONTINUED_PREFIX, suffix: notExecutedSuffix(command) });
  }

  /** How many processes the shell's session holds besides the shell (background jobs, leftovers). */
  sessionProcessCount(): number {
    const shell = this.#pty?.pid;
    return shell ? sessionMembers(shell).filter((pid) => pid !== shell).length : 0;
  }

  /**
   * Kills every process of the shell's session except the shell itself (fork-bomb leftovers, stray jobs).
   * Everything is stopped first, until no new process appears, so a group that keeps forking cannot
   * outrun the kills; then all of it is killed.
   */
  async reset(): Promise<number> {
    const shell = this.#pty?.pid;
    if (!shell) return 0;
    const others = () => sessionMembers(shell).filter((pid) => pid !== shell);
    const stopped = new Set<number>();
    for (let round = 0; round < 100; round++) {
      const fresh = others().filter((pid) => !stopped.has(pid));
      if (fresh.length === 0 && round > 0) break;
      for (const pid of fresh) {
        signal(pid, 'SIGSTOP');
        stopped.add(pid);
      }
    }
    let killed = 0;
    for (let round = 0; round < 50; round++) {
      const alive = others();
      if (alive.length === 0) break;
      for (const pid of alive) if (signal(pid, 'SIGKILL')) killed++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    if (this.#running) {
      this.#running = false;
      this.#buffer = '';
    }
    return killed;
  }

  async close(): Promise<void> {
    const pty = this.#pty;
    if (!pty) return;
    await this.reset();
    this.#pty = undefined;
    if (this.#exited === undefined) {
      const exited = new Promise<void>((resolve) => pty.onExit(() => resolve()));
      pty.kill('SIGKILL');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
    }
  }

  async #await(
    request: CommandRequest,
    mode: { continuation: boolean; ctrlC: boolean },
  ): Promise<CommandResult> {
    const started = Date.now();
    const hardSeconds = request.timeout ?? this.#options.defaultHardTimeoutSeconds;
    const soft = !request.blocking;
    const prefix = mode.continuation ? CONTINUED_PREFIX : '';
    this.#lastDataAt = Date.now();
    for (;;) {
      const marker = findMarker(this.#buffer);
      if (marker) {
        const output = marker.before.slice(this.#returned);
        this.#state = marker.state;
        this.#finish();
        const suffix = mode.ctrlC
          ? ctrlCSuffix(marker.state.exit_code)
          : completedSuffix(marker.state.exit_code);
        return this.#result(output, marker.state.exit_code, { prefix, suffix });
      }
      if (this.#exited !== undefined) {
        const output = this.#buffer.slice(this.#returned);
        this.#finish();
        this.#pty = undefined;
        return this.#result(output, this.#exited, { prefix, suffix: completedSuffix(this.#exited) });
      }
      const now = Date.now();
      if (now - started >= hardSeconds * 1000) return this.#hardTimeout(hardSeconds, prefix);
      if (soft && now - this.#lastDataAt >= this.#options.softTimeoutSeconds * 1000) {
        return this.#result(this.#takeNewOutput(), -1, {
          prefix,
          suffix: softTimeoutSuffix(this.#options.softTimeoutSeconds),
        });
      }
      const softLeft = soft
        ? this.#options.softTimeoutSeconds * 1000 - (now - this.#lastDataAt)
        : Number.POSITIVE_INFINITY;
      await this.#nextChange(Math.max(5, Math.min(hardSeconds * 1000 - (now - started), softLeft)));
    }
  }

  async #hardTimeout(seconds: number, prefix: string): Promise<CommandResult> {
    const shell = this.#pty!.pid;
    const group = foregroundProcessGroup(shell);
    if (group && group !== shell) await killProcessGroup(group);
    // The shell itself may be the one waiting (a builtin such as `wait`): interrupt it.
    else this.#pty!.write('\x03');
    if (!(await this.#waitForMarker(2_000))) this.#pty!.write('\x03');
    await this.#waitForMarker(2_000);
    const marker = findMarker(this.#buffer);
    const output = (marker ? marker.before : this.#buffer).slice(this.#returned);
    if (marker) this.#state = marker.state;
    this.#finish();
    if (!marker && group && processGroupMembers(group).length > 0) await this.reset();
    return this.#result(output, -1, { prefix, suffix: hardTimeoutSuffix(seconds) });
  }

  #finish(): void {
    this.#running = false;
    this.#buffer = '';
    this.#returned = 0;
  }

  #takeNewOutput(): string {
    const output = this.#buffer.slice(this.#returned);
    this.#returned = this.#buffer.length;
    return output;
  }

  #result(raw: string, exitCode: number, extra: { prefix: string; suffix: string }): CommandResult {
    return {
      kind: 'output',
      content: truncateMiddle(cleanOutput(raw), this.#options.maxOutputChars),
      exitCode,
      metadata: { ...this.#state, exit_code: exitCode, ...extra },
    };
  }

  #message(text: string): CommandResult {
    return {
      kind: 'output',
      content: text,
      exitCode: -1,
      metadata: { ...this.#state, exit_code: -1, prefix: '', suffix: '' },
    };
  }

  #nextChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#listeners.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#listeners.add(done);
    });
  }

  async #waitForMarker(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!findMarker(this.#buffer)) {
      if (this.#exited !== undefined || Date.now() >= deadline) return false;
      await this.#nextChange(deadline - Date.now());
    }
    return true;
  }
}

function controlCharacter(key: string): string {
  return String.fromCharCode(key.slice(2).toUpperCase().charCodeAt(0) - 64);
}

const ANSI =
  /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*(\u0007|\u001b\\)|\u001b[()][0-9A-Za-z]|\u001b[=>]/g;

function cleanOutput(raw: string): string {
  return raw
    .replace(ANSI, '')
    .replace(/\r\n/g, '\n')
    .replace(/\r/g, '')
    .replace(/^\n/, '')
    .replace(/\n+$/, '');
}

function defaultEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return { ...env, TERM: 'xterm', PAGER: 'cat', GIT_PAGER: 'cat', LANG: env.LANG ?? 'C.UTF-8' };
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}
