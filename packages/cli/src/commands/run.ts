import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Settings } from '@deft/protocol';
import { createLogger, type RunningServer, startServer } from '@deft/server';
import type { Command } from 'commander';
import { WebSocket } from 'ws';
import { type ConfigFlags, configFrom, withConfigFlags } from '../config-flags.js';
import { CliError } from '../errors.js';
import { describeEvent, type EventJson } from '../output/event-text.js';
import { readableReason } from '../output/reasons.js';
import { TerminalOutput } from '../output/terminal.js';

interface RunFlags extends ConfigFlags {
  workspace?: string;
  model?: string;
  baseUrl?: string;
  maxIterations?: string;
  budget?: string;
  outputLines?: string;
}

/** Exit codes of `deft run`, so scripts can tell why a task did not finish. */
export const RUN_EXIT = {
  finished: 0,
  error: 1,
  maxIterations: 3,
  budget: 4,
  stuck: 5,
  awaitingInput: 6,
  interrupted: 130,
} as const;

export function registerRun(program: Command): void {
  withConfigFlags(
    program
      .command('run')
      .description('run a task headless in a sandbox on a folder, printing progress until the agent stops')
      .argument('<task>', 'what the agent should do')
      .option('-w, --workspace <dir>', 'folder the agent works in (default: the current folder)')
      .option(
        '-m, --model <model>',
        'LLM for this run, e.g. anthropic/claude-sonnet-4-5 (default: your settings)',
      )
      .option('--base-url <url>', 'LLM base URL for this run (OpenAI-compatible servers)')
      .option('--max-iterations <n>', 'stop after this many agent steps')
      .option('--budget <usd>', 'stop once the LLM cost of this task reaches this many US dollars')
      .option('--output-lines <n>', 'lines of each command output to show (default 20)', '20'),
  )
    .addHelpText(
      'after',
      '\nExit codes: 0 finished, 1 error or stopped, 3 iteration limit, 4 budget reached, 5 agent stuck,\n6 agent waiting for an answer, 130 interrupted. The API key comes from your saved settings or\n$DEFT_LLM__API_KEY.',
    )
    .action(async (task: string, flags: RunFlags) => {
      // Exit explicitly: the loop, the sandbox and the server are closed; nothing else should keep us here.
      process.exit(await runTask(task, flags));
    });
}

async function runTask(task: string, flags: RunFlags): Promise<number> {
  const workspace = resolve(flags.workspace ?? process.cwd());
  let isDirectory = false;
  try {
    isDirectory = statSync(workspace).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) throw new CliError(`workspace ${workspace} is not a folder`);
  const maxOutputLines = positiveInteger(flags.outputLines ?? '20', '--output-lines');
  const overlay: Partial<Settings> = {};
  if (flags.model) overlay.llm_model = flags.model;
  if (flags.baseUrl) overlay.llm_base_url = flags.baseUrl;
  if (flags.maxIterations) overlay.max_iterations = positiveInteger(flags.maxIterations, '--max-iterations');
  if (flags.budget) {
    const budget = Number(flags.budget);
    if (!(budget > 0))
      throw new CliError(`--budget must be a positive number of US dollars, got ${flags.budget}`);
    overlay.max_budget_per_task = budget;
  }
  // A private server on a random loopback port: this process owns the task's loop and sandbox, and leaves
  // alone the conversations a `deft serve` on the same data dir may be running.
  const config = configFrom(flags, {
    port: 0,
    host: '127.0.0.1',
    insecure: false,
    server: { rate_limit_per_second: 0 },
    conversations: { sweep_interval_ms: 0 },
  });
  const out = new TerminalOutput();
  // With an overlay (even an empty one) unsaved settings read as the defaults: config `llm.*` may suffice.
  const server = await startServer(config, {
    logger: createLogger({ level: process.env.DEFT_LOG_LEVEL ?? 'silent' }),
    settingsOverlay: overlay,
    recover: false,
  });
  try {
    const model = (await server.settings.load())?.llm_model || config.llm.model;
    if (!model) {
      throw new CliError(
        'no LLM configured: pass --model, save the LLM settings in the web UI (deft serve), or set DEFT_LLM__MODEL',
      );
    }
    const headers = {
      'content-type': 'application/json',
      ...(config.session_api_key ? { 'x-session-api-key': config.session_api_key } : {}),
    };
    const created = await fetch(`${server.url}/api/conversations`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ initial_user_msg: task, workspace_path: workspace }),
    });
    const body = (await created.json()) as { conversation_id?: string; message?: string };
    if (!created.ok || !body.conversation_id)
      throw new CliError(`the conversation could not start: ${body.message ?? `HTTP ${created.status}`}`);
    const id = body.conversation_id;
    out.write(`deft · ${model} · workspace ${workspace} · conversation ${id}`);
    let onInterrupt: () => void = () => undefined;
    const code = await new Promise<number>((resolveCode) => {
      onInterrupt = () => {
        out.stopSpinner();
        out.write('interrupted: stopping the agent…');
        resolveCode(RUN_EXIT.interrupted);
      };
      process.once('SIGINT', onInterrupt);
      process.once('SIGTERM', onInterrupt);
      follow(server, id, headers, out, maxOutputLines, resolveCode);
    });
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
    // Stopped, not left running (whether it finished or was interrupted): a later `deft serve` must not
    // bring this task back.
    await fetch(`${server.url}/api/conversations/${id}/stop`, { method: 'POST', headers }).catch(
      () => undefined,
    );
    out.stopSpinner();
    out.write(`conversation ${id} — see it again with: deft conversations show ${id}`);
    return code;
  } finally {
    out.stopSpinner();
    await server.close();
  }
}

/** Streams the conversation's events (reconnecting from the last id if the socket drops) until the agent stops. */
function follow(
  server: RunningServer,
  id: string,
  headers: Record<string, string>,
  out: TerminalOutput,
  maxOutputLines: number,
  done: (code: number) => void,
): void {
  let lastId = -1;
  let steps = 0;
  let ended = false;
  const started = Date.now();
  const end = (code: number, message?: string) => {
    if (ended) return;
    ended = true;
    out.stopSpinner();
    if (message) out.write(message);
    done(code);
  };
  const connect = (attempt: number) => {
    const socket = new WebSocket(
      `${server.url.replace(/^http/, 'ws')}/api/v1/conversations/${id}/events?after=${lastId}`,
      { headers },
    );
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; id?: number; event?: EventJson };
      if (message.type !== 'event' || !message.event) return;
      const event = message.event;
      lastId = event.id ?? lastId;
      if (
        event.source === 'agent' &&
        event.action &&
        !['change_agent_state', 'recall', 'system'].includes(event.action)
      )
        steps++;
      const line = describeEvent(event, { maxOutputLines });
      if (line && !(line.kind === 'error' && event.observation === 'agent_state_changed')) out.line(line);
      if (event.action === 'run') out.spin(`running ${String(event.args?.command ?? '').slice(0, 60)}`);
      else if (event.observation || event.source === 'user') out.spin(`thinking · step ${steps + 1}`);
      if (event.observation === 'agent_state_changed') {
        const state = String(event.extras?.agent_state ?? '');
        const reason = String(event.extras?.reason ?? '');
        const took = `${((Date.now() - started) / 1000).toFixed(1)} s, ${steps} steps`;
        if (state === 'finished') end(RUN_EXIT.finished, `finished in ${took}`);
        else if (state === 'error')
          end(exitForReason(reason), `error: ${readableReason(reason || 'STATUS$ERROR')} (${took})`);
        else if (state === 'awaiting_user_input')
          end(RUN_EXIT.awaitingInput, `the agent is waiting for an answer (${took}); continue in the web UI`);
        else if (state === 'stopped' || state === 'rejected')
          end(RUN_EXIT.error, `the agent ${state} (${took})`);
        else if (state === 'running') out.spin(`thinking · step ${steps + 1}`);
      }
    });
    socket.on('close', () => {
      if (ended) return;
      if (attempt >= 5) return end(RUN_EXIT.error, 'error: lost the event stream of the conversation');
      setTimeout(() => connect(attempt + 1), 200 * (attempt + 1));
    });
    socket.on('open', () => {
      attempt = 0;
    });
    socket.on('error', () => undefined);
  };
  connect(0);
}

function exitForReason(reason: string): number {
  if (/maximum iteration/i.test(reason)) return RUN_EXIT.maxIterations;
  if (/maximum budget/i.test(reason)) return RUN_EXIT.budget;
  if (/stuck in a loop/i.test(reason)) return RUN_EXIT.stuck;
  return RUN_EXIT.error;
}

function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0)
    throw new CliError(`${flag} must be a positive whole number, got ${text}`);
  return value;
}
