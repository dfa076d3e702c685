import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BashSession } from './bash-session.js';
import { CONTINUED_PREFIX, NO_RUNNING_INPUT, NO_RUNNING_LOGS, TIMEOUT_MESSAGE } from './messages.js';
import { isAlive } from './process-tree.js';

describe('bash session in a PTY (reference §4.3)', () => {
  let dir: string;
  let bash: BashSession;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'deft-bash-'));
    bash = new BashSession({ cwd: dir, softTimeoutSeconds: 1, maxOutputChars: 2_000 });
    await bash.start();
  });
  afterAll(async () => {
    await bash.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('§4.3 runs a command and reports output, exit code, cwd and the completion suffix', async () => {
    const result = await bash.execute({ command: 'echo hi' });
    expect(result.content).toBe('hi');
    expect(result.exitCode).toBe(0);
    expect(result.metadata).toMatchObject({
      exit_code: 0,
      working_dir: dir,
      suffix: '\n[The command completed with exit code 0.]',
      prefix: '',
    });
    expect(result.metadata.username).toBeTruthy();
    expect(result.metadata.hostname).toBeTruthy();
    const failed = await bash.execute({ command: 'ls /definitely-missing' });
    expect(failed.exitCode).toBe(2);
    expect(failed.content).toContain('No such file or directory');
  });

  it('§4.3 keeps cwd and environment between commands, and runs chained commands', async () => {
    await bash.execute({ command: 'mkdir -p sub && cd sub' });
    await bash.execute({ command: 'export DEFT_TEST_VALUE=42' });
    const result = await bash.execute({ command: 'pwd; echo $DEFT_TEST_VALUE && echo chained' });
    expect(result.content).toBe(`${join(dir, 'sub')}\n42\nchained`);
    expect(result.metadata.working_dir).toBe(join(dir, 'sub'));
    await bash.execute({ command: `cd ${dir}` });
  });

  it('§4.3 refuses several top-level commands with the reference error, but runs heredocs as one', async () => {
    const error = await bash.execute({ command: 'echo a\necho b' });
    expect(error.kind).toBe('error');
    expect(error.content).toBe(
      'ERROR: Cannot execute multiple commands at once.\nPlease run each command separately OR chain them into a single command via && or ;\nProvided commands:\n(1) echo a\n(2) echo b',
    );
    const heredoc = await bash.execute({ command: "cat <<'EOF'\nline 1\nline 2\nEOF" });
    expect(heredoc.content).toBe('line 1\nline 2');
  });

  it('§4.3 empty command or input with nothing running gives the reference errors', async () => {
    expect((await bash.execute({ command: '' })).content).toBe(NO_RUNNING_LOGS);
    expect((await bash.execute({ command: 'x', isInput: true })).content).toBe(NO_RUNNING_INPUT);
  });

  it('§4.3 soft timeout returns partial output; a new command is NOT executed; empty command keeps waiting', async () => {
    const first = await bash.execute({ command: 'echo start; sleep 2; echo end' });
    expect(first.content).toBe('start');
    expect(first.exitCode).toBe(-1);
    expect(first.metadata.suffix).toBe(
      `\n[The command has no new output after 1 seconds. ${TIMEOUT_MESSAGE}]`,
    );
    const refused = await bash.execute({ command: 'echo other' });
    expect(refused.metadata.suffix).toContain('Your command "echo other" is NOT executed.');
    // Keep waiting with empty commands until the command completes (how many waits depends on the load).
    let rest = await bash.execute({ command: '' });
    let seen = rest.content;
    for (let attempt = 0; attempt < 10 && rest.exitCode === -1; attempt++) {
      rest = await bash.execute({ command: '' });
      seen += rest.content;
    }
    expect(seen).toBe('end');
    expect(rest.metadata.prefix).toBe(CONTINUED_PREFIX);
    expect(rest.exitCode).toBe(0);
  });

  it('§4.3 sends is_input text to a waiting process', async () => {
    const waiting = await bash.execute({ command: 'read -p "name? " answer; echo "hello $answer"' });
    expect(waiting.exitCode).toBe(-1);
    const answered = await bash.execute({ command: 'deft', isInput: true });
    expect(answered.content).toContain('hello deft');
    expect(answered.exitCode).toBe(0);
  });

  it('§4.3 C-c interrupts the running command with the CTRL+C suffix', async () => {
    await bash.execute({ command: 'sleep 30' });
    const interrupted = await bash.execute({ command: 'C-c', isInput: true });
    expect(interrupted.exitCode).toBe(130);
    expect(interrupted.metadata.suffix).toBe(
      '\n[The command completed with exit code 130. CTRL+C was sent.]',
    );
    expect((await bash.execute({ command: 'echo alive' })).content).toBe('alive');
  });

  it('§4.3 C-d ends the input of a waiting process without Enter', async () => {
    const waiting = await bash.execute({ command: 'wc -l' });
    expect(waiting.exitCode).toBe(-1);
    await bash.execute({ command: 'one', isInput: true });
    const ended = await bash.execute({ command: 'C-d', isInput: true });
    expect(ended.exitCode).toBe(0);
    expect(ended.content.trim()).toBe('1');
    expect((await bash.execute({ command: 'echo alive' })).content).toBe('alive');
  });

  it('a hard timeout kills the whole process group of the command, children included', async () => {
    const pidFile = join(dir, 'child.pid');
    const result = await bash.execute({
      command: `bash -c 'sleep 60 & echo $! > ${pidFile}; wait'`,
      timeout: 1,
      blocking: true,
    });
    expect(result.exitCode).toBe(-1);
    expect(result.metadata.suffix).toContain('timed out after 1 seconds');
    const child = Number(spawnSync('cat', [pidFile]).stdout.toString());
    expect(child).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isAlive(child)).toBe(false);
    expect((await bash.execute({ command: 'echo next' })).content).toBe('next');
  });

  it('background jobs do not block the shell', async () => {
    const started = Date.now();
    const result = await bash.execute({ command: 'sleep 30 &' });
    expect(result.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(900);
    await bash.reset();
  });

  it('truncates huge output in the middle, keeping head and tail', async () => {
    const result = await bash.execute({ command: 'seq 1 20000' });
    expect(result.content.length).toBeLessThanOrEqual(2_000);
    expect(result.content).toMatch(/(^|\n)1\n2\n3\n/);
    // bash may append a job notice (e.g. an earlier background job ended) after the output
    expect(result.content).toMatch(/19999\n20000(\n|$)/);
    expect(result.content).toContain('[... Observation truncated due to length ...]');
  });

  it('restarts bash transparently after it exits', async () => {
    const exited = await bash.execute({ command: 'exit 3' });
    expect(exited.exitCode).toBe(3);
    const again = await bash.execute({ command: 'echo back' });
    expect(again.content).toBe('back');
  });

  it('reset() kills every leftover process of the session except the shell', async () => {
    const pidFile = join(dir, 'stray.pid');
    await bash.execute({ command: `(sleep 120 & echo $! > ${pidFile}) ` });
    const stray = Number(spawnSync('cat', [pidFile]).stdout.toString());
    expect(isAlive(stray)).toBe(true);
    await bash.reset();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isAlive(stray)).toBe(false);
    expect((await bash.execute({ command: 'echo ok' })).content).toBe('ok');
  });
});
