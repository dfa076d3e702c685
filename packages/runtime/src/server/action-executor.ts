import {
  type ActionEvent,
  createObservation,
  isDeftError,
  type ObservationEvent,
  parseAction,
} from '@deft/protocol';
import { BashSession, type BashSessionOptions } from '../bash/bash-session.js';
import { FileActions } from '../files/index.js';

/** Actions this runtime cannot run yet answer with an error observation instead of failing (issue 3). */
const UNSUPPORTED = new Set(['run_ipython', 'browse', 'browse_interactive']);
const FILE_ACTIONS = new Set(['read', 'write', 'edit']);

export interface ActionExecutorOptions {
  workspaceRoot: string;
  bash?: Omit<BashSessionOptions, 'cwd'>;
  /** A shell already started by the caller (the entry point starts bash before loading the rest). */
  bashSession?: BashSession;
  /**
   * Leftover processes of the shell's session (runaway background jobs, a fork bomb) above this count are
   * killed before the next command, so the sandbox stays usable.
   */
  maxSessionProcesses?: number;
}

/**
 * Runs one action at a time (reference §4.2 "executed one at a time") and turns it into an observation
 * without id or cause — the caller's event stream assigns those.
 */
export class ActionExecutor {
  readonly bash: BashSession;
  readonly #files: FileActions;
  readonly #maxSessionProcesses: number;
  readonly #watchdog: NodeJS.Timeout;
  #killedByWatchdog = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #lastActivity = Date.now();

  constructor(options: ActionExecutorOptions) {
    this.#files = new FileActions({ workspaceRoot: options.workspaceRoot });
    this.#maxSessionProcesses = options.maxSessionProcesses ?? 200;
    // A runaway process tree (a fork bomb) is stopped between commands too, not only when the next one comes.
    this.#watchdog = setInterval(() => void this.#checkRunaway(), 250);
    this.#watchdog.unref();
    this.bash = options.bashSession ?? new BashSession({ ...options.bash, cwd: options.workspaceRoot });
  }

  get idleSeconds(): number {
    return (Date.now() - this.#lastActivity) / 1000;
  }

  /** Parses the action dict (throwing the protocol's coded error when malformed) and runs it in turn. */
  execute(input: unknown): Promise<ObservationEvent> {
    const action = parseAction(input);
    const run = this.#queue.then(() => this.#dispatch(action));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    clearInterval(this.#watchdog);
    await this.bash.close();
  }

  async #dispatch(action: ActionEvent): Promise<ObservationEvent> {
    this.#lastActivity = Date.now();
    try {
      if (action.action === 'run') return await this.#run(action as ActionEvent<'run'>);
      if (FILE_ACTIONS.has(action.action)) {
        return await this.#files.execute(action as ActionEvent<'read' | 'write' | 'edit'>, {
          cwd: this.bash.cwd,
        });
      }
      if (UNSUPPORTED.has(action.action)) {
        return createObservation('error', `Action ${action.action} is not supported by this runtime yet.`, {
          error_id: 'AGENT_ERROR$BAD_ACTION',
        });
      }
      if (action.action === 'think') return createObservation('think', 'Your thought has been logged.');
      return createObservation('null', '');
    } catch (error) {
      const message = isDeftError(error) ? error.message : (error as Error).message;
      return createObservation('error', message, { error_id: 'AGENT_ERROR$RUNTIME_ERROR' });
    } finally {
      this.#lastActivity = Date.now();
    }
  }

  async #checkRunaway(): Promise<void> {
    if (this.bash.sessionProcessCount() <= this.#maxSessionProcesses) return;
    this.#killedByWatchdog += await this.reset();
  }

  /** Kills every leftover process of the shell session; returns how many were killed. */
  reset(): Promise<number> {
    const run = this.#queue.then(() => this.bash.reset());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #run(action: ActionEvent<'run'>): Promise<ObservationEvent> {
    let killed = this.#killedByWatchdog;
    this.#killedByWatchdog = 0;
    if (!action.args.is_input && this.bash.sessionProcessCount() > this.#maxSessionProcesses)
      killed += await this.bash.reset();
    const note = killed
      ? `[Deft stopped ${killed} leftover processes of earlier commands: the sandbox's process limit was being exhausted.]\n`
      : '';
    const result = await this.bash.execute({
      command: action.args.command,
      isInput: action.args.is_input,
      blocking: action.args.blocking,
      timeout: action.timeout ?? null,
    });
    if (result.kind === 'error') return createObservation('error', result.content, { error_id: '' });
    return createObservation('run', result.content, {
      command: action.args.command,
      metadata: note ? { ...result.metadata, prefix: note + result.metadata.prefix } : result.metadata,
      hidden: action.args.hidden,
    });
  }
}
