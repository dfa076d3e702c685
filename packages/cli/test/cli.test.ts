import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFT_CLI as BIN, SANDBOX_SKIP_REASON, type ScriptedLlm, startScriptedLlm } from '@deft/testkit';
import { spawn as spawnPty } from 'node-pty';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const SKIP = !existsSync(BIN) ? 'the CLI is not built (npm test builds it)' : SANDBOX_SKIP_REASON;
if (SKIP && process.env.CI === 'true') {
  it('deft CLI: a built CLI and a real sandbox are required when CI=true', () => {
    throw new Error(SKIP);
  });
}

/** Runs `deft …` in a real pseudo-terminal, as a person would; resolves with everything it printed. */
function deftInPty(
  args: string[],
  env: Record<string, string> = {},
  /** sees the output so far and may type into the terminal */
  onOutput?: (output: string, type: (keys: string) => void) => void,
): Promise<{ output: string; exitCode: number }> {
  return new Promise((resolve) => {
    const terminal = spawnPty(process.execPath, [BIN, ...args], {
      name: 'xterm-256color',
      cols: 120,
      rows: 40,
      env: { ...process.env, DEFT_LOG_LEVEL: 'silent', ...env } as Record<string, string>,
    });
    let output = '';
    terminal.onData((data) => {
      output += data;
      onOutput?.(output, (keys) => terminal.write(keys));
    });
    terminal.onExit(({ exitCode }) => resolve({ output, exitCode }));
  });
}

/** The same without a terminal: what a script or CI log gets. Asynchronous: the scripted LLM shares this process. */
function deftPiped(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, DEFT_LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('close', (exitCode) => resolve({ stdout, stderr, exitCode }));
  });
}

/** What a reader of the terminal sees in the scrollback: spinner frames (drawn and erased in place) and colours removed. */
const plain = (text: string) =>
  text
    .replace(/\r\x1b\[2K(?:\x1b\[\d+m)?[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏](?:\x1b\[0m)?[^\r\n]*/g, '')
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/\r/g, '');
const tool = (name: string, args: Record<string, unknown>, usage?: { prompt_tokens: number }) => ({
  toolCalls: [{ name, arguments: args }],
  ...(usage ? { usage } : {}),
});

describe.skipIf(Boolean(SKIP))('deft CLI through a real PTY (issue 6)', () => {
  let llm: ScriptedLlm;
  let dataDir: string;
  let workspace: string;
  let llmFlags: string[];

  beforeAll(async () => {
    llm = await startScriptedLlm();
    llmFlags = ['--model', 'openai-compatible/scripted', '--base-url', llm.baseUrl];
  });
  const made: string[] = [];
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'deft-cli-data-'));
    workspace = mkdtempSync(join(tmpdir(), 'deft-cli-ws-'));
    made.push(dataDir, workspace);
  });
  afterAll(async () => {
    await llm?.close();
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it('deft run: live progress with a spinner, the command and its output, the final message, exit 0', async () => {
    llm.enqueue(
      tool('execute_bash', { command: 'echo made-by-agent > note.txt && cat note.txt' }),
      tool('finish', { message: 'Wrote note.txt.' }),
    );
    const { output, exitCode } = await deftInPty([
      'run',
      'write a note',
      '-w',
      workspace,
      '-d',
      dataDir,
      ...llmFlags,
    ]);
    const text = plain(output);
    expect(exitCode, text).toBe(0);
    expect(text).toContain('$ echo made-by-agent > note.txt && cat note.txt');
    expect(text).toMatch(/\n\s+made-by-agent\n/);
    expect(text).toContain('✔ Wrote note.txt.');
    expect(text).toMatch(/finished in [\d.]+ s/);
    expect(output).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/); // a spinner, on a TTY only
    expect(readFileSync(join(workspace, 'note.txt'), 'utf8')).toBe('made-by-agent\n');

    // The run is stored: list, show and both exports see it.
    const id = /conversation ([0-9a-f]{32})/.exec(text)![1]!;
    const list = await deftPiped(['conversations', 'list', '-d', dataDir]);
    expect(list.stdout).toContain(id);
    expect(list.stdout).toMatch(/stopped/);
    const show = await deftPiped(['conversations', 'show', id, '-d', dataDir]);
    expect(show.stdout).toContain('$ echo made-by-agent');
    const markdown = await deftPiped(['conversations', 'export', id, '--format', 'md', '-d', dataDir]);
    expect(markdown.stdout).toContain('## User\n\nwrite a note');
    expect(markdown.stdout).toContain('```console\n$ echo made-by-agent');
    const json = JSON.parse((await deftPiped(['conversations', 'export', id, '-d', dataDir])).stdout);
    expect(json.conversation.conversation_id).toBe(id);
    expect(json.events.map((event: { id: number }) => event.id)).toEqual(
      json.events.map((_: unknown, index: number) => index),
    );
    expect((await deftPiped(['conversations', 'delete', id, '-d', dataDir])).stdout).toBe(`deleted ${id}\n`);
    const gone = await deftPiped(['conversations', 'show', id, '-d', dataDir]);
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toBe(
      `deft: no conversation ${id} in this data dir (deft conversations list shows them)\n`,
    );
  });

  it('deft run: an LLM error ends with exit 1 and the reason; piped output has no spinner or colour', async () => {
    llm.enqueue({ kind: 'error', status: 401, message: 'invalid api key' });
    const result = await deftPiped(['run', 'anything', '-w', workspace, '-d', dataDir, ...llmFlags]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(
      /\nerror: the LLM provider refused the API key \(check the LLM settings\) \([\d.]+ s, 0 steps\)\n/,
    );
    expect(result.stdout).not.toMatch(/\x1b|[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
  });

  it('deft run: the budget ends the task with exit 4', async () => {
    // One step costs $2.50 at gpt-4o's price; the budget check before the next LLM call stops the task.
    llm.enqueue(tool('execute_bash', { command: 'echo expensive' }, { prompt_tokens: 1_000_000 }));
    const budget = await deftInPty([
      'run',
      'spend',
      '-w',
      workspace,
      '-d',
      dataDir,
      '--model',
      'openai-compatible/gpt-4o',
      '--base-url',
      llm.baseUrl,
      '--budget',
      '0.5',
    ]);
    expect(budget.exitCode, plain(budget.output)).toBe(4);
    expect(plain(budget.output)).toContain('maximum budget');
    expect(plain(budget.output)).toContain('expensive');
    expect(llm.pending()).toBe(0);
  });

  it('deft run: Ctrl-C stops the agent (its LLM call abandoned), records it stopped, exit 130', async () => {
    llm.enqueue({ ...tool('execute_bash', { command: 'echo never' }), delayMs: 20_000 });
    llm.requests.length = 0;
    let typed = false;
    const interrupted = await deftInPty(
      ['run', 'slow', '-w', workspace, '-d', dataDir, ...llmFlags],
      {},
      (output, type) => {
        if (!typed && /thinking/.test(output) && llm.requests.some((r) => !r.headers['x-deft-purpose'])) {
          typed = true;
          type('\x03');
        }
      },
    );
    const text = plain(interrupted.output);
    expect(interrupted.exitCode, text).toBe(130);
    expect(text).toContain('interrupted: stopping the agent…');
    expect(text).not.toContain('never');
    await expect.poll(() => llm.requests.some((r) => !r.headers['x-deft-purpose'] && r.aborted)).toBe(true);
    expect((await deftPiped(['conversations', 'list', '-d', dataDir])).stdout).toMatch(/ stopped /);
  });

  it('deft run: the iteration limit ends the task with exit 3', async () => {
    llm.enqueue(tool('execute_bash', { command: 'echo one' }));
    const limited = await deftInPty([
      'run',
      'loop',
      '-w',
      workspace,
      '-d',
      dataDir,
      ...llmFlags,
      '--max-iterations',
      '1',
    ]);
    expect(limited.exitCode, plain(limited.output)).toBe(3);
    expect(plain(limited.output)).toContain('maximum iteration');
    expect(plain(limited.output)).toMatch(/\n\s+one\n/);
    expect(llm.pending()).toBe(0);
  });

  it('deft run: a missing LLM, a bad folder and a bad flag are one line each, no stack trace', async () => {
    const noLlm = await deftPiped(['run', 'x', '-w', workspace, '-d', dataDir], { DEFT_LLM__MODEL: '' });
    expect(noLlm.exitCode).toBe(1);
    expect(noLlm.stderr).toMatch(/^deft: no LLM configured: .*\n$/);
    const badFolder = await deftPiped([
      'run',
      'x',
      '-w',
      join(workspace, 'missing'),
      '-d',
      dataDir,
      ...llmFlags,
    ]);
    expect(badFolder.stderr).toBe(`deft: workspace ${join(workspace, 'missing')} is not a folder\n`);
    const badFlag = await deftPiped(['run', 'x', '--max-iterations', 'many', '-d', dataDir, ...llmFlags]);
    expect(badFlag.stderr).toBe('deft: --max-iterations must be a positive whole number, got many\n');
    for (const result of [noLlm, badFolder, badFlag]) expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('--help on every command', async () => {
    for (const args of [
      [],
      ['serve'],
      ['run'],
      ['conversations'],
      ['conversations', 'list'],
      ['conversations', 'show'],
      ['conversations', 'export'],
      ['conversations', 'delete'],
      ['doctor'],
    ]) {
      const help = await deftPiped([...args, '--help']);
      expect(help.exitCode, args.join(' ')).toBe(0);
      expect(help.stdout).toMatch(/^Usage: deft/);
    }
    expect((await deftPiped(['run', '--help'])).stdout).toContain('Exit codes: 0 finished');
  });

  it('deft doctor on this machine: every check with a fix for what fails, exit code by outcome', async () => {
    const missing = await deftInPty(['doctor', '-d', dataDir], { DEFT_LLM__MODEL: '' });
    const text = plain(missing.output);
    expect(missing.exitCode).toBe(1);
    for (const name of [
      'Node.js',
      'data dir',
      'sandbox runtime',
      'bubblewrap',
      'cgroups',
      'Docker / Podman',
      'LLM',
    ])
      expect(text).toContain(name);
    expect(text).toMatch(/✓ bubblewrap\s+namespaces/);
    expect(text).toMatch(/✗ LLM\s+no model configured\n\s+fix: open the web UI/);

    const ready = await deftInPty(['doctor', '-d', dataDir], {
      DEFT_LLM__MODEL: 'openai-compatible/scripted',
      DEFT_LLM__BASE_URL: llm.baseUrl,
      DEFT_LLM__API_KEY: 'k',
    });
    expect(plain(ready.output)).toMatch(
      /✓ LLM\s+openai-compatible\/scripted at http:\/\/127\.0\.0\.1:\d+ answers \(HTTP 200\)/,
    );
    expect(ready.exitCode, plain(ready.output)).toBe(0);

    const unreachable = await deftPiped(['doctor', '-d', dataDir, '--json'], {
      DEFT_LLM__MODEL: 'openai-compatible/scripted',
      DEFT_LLM__BASE_URL: 'http://127.0.0.1:9/v1',
    });
    const llmCheck = JSON.parse(unreachable.stdout).find((check: { name: string }) => check.name === 'LLM');
    expect(llmCheck).toMatchObject({ level: 'fail', fix: expect.stringContaining('base URL') });
    expect(unreachable.exitCode).toBe(1);
  });
});
