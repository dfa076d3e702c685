import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFT_CLI,
  SANDBOX_SKIP_REASON,
  type ScriptedLlm,
  startDeftServe,
  startScriptedLlm,
  stopProcess,
} from '@deft/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WEB = join(ROOT, 'packages/web/dist/index.html');
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts/web');
const SKIP = !existsSync(CHROMIUM)
  ? 'Debian chromium is missing (npm test installs it)'
  : !existsSync(DEFT_CLI) || !existsSync(WEB)
    ? 'the CLI or the web UI is not built (npm test builds them)'
    : SANDBOX_SKIP_REASON;
if (SKIP && process.env.CI === 'true') {
  it('web UI end to end: chromium, the built app and a real sandbox are required when CI=true', () => {
    throw new Error(SKIP);
  });
}

const tool = (name: string, args: Record<string, unknown>, delayMs = 0) => ({
  toolCalls: [{ name, arguments: args }],
  delayMs,
});

describe.skipIf(Boolean(SKIP))('web UI against a real deft serve, in Chromium (issue 6)', () => {
  let home: string;
  let server: ChildProcess;
  let url: string;
  let llm: ScriptedLlm;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    home = mkdtempSync(join(tmpdir(), 'deft-web-e2e-'));
    llm = await startScriptedLlm();
    ({ child: server, url } = await startDeftServe(home, {
      env: { DEFT_SERVER__RATE_LIMIT_PER_SECOND: '0' },
    }));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400)
        problems.push(`HTTP ${response.status()} ${response.request().method()} ${response.url()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await stopProcess(server);
    await llm?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const renderedEventIds = () =>
    page.$$eval('[data-event-id]', (elements) =>
      elements.flatMap((element) => (element.getAttribute('data-event-id') ?? '').split(' ').map(Number)),
    );
  const storedEventIds = async (id: string) => {
    const response = await fetch(`${url}/api/conversations/${id}/events?limit=100`);
    return ((await response.json()) as { events: { id: number }[] }).events.map((event) => event.id);
  };
  const conversationId = () => /#\/c\/([0-9a-f]{32})/.exec(page.url())![1]!;

  it('first run: the settings flow gets a new user to a working conversation', async () => {
    await page.goto(url);
    await page.getByRole('heading', { name: 'Welcome to Deft' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, '01-first-run.png') });
    await page.getByLabel('Model').fill('openai-compatible/scripted');
    await page.getByLabel(/Base URL/).fill(llm.baseUrl);
    await page.getByLabel('API key').fill('sk-test-key');
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await page.getByRole('heading', { name: 'What should the agent do?' }).waitFor();
    const saved = (await (await fetch(`${url}/api/settings`)).json()) as Record<string, unknown>;
    expect(saved).toMatchObject({ llm_model: 'openai-compatible/scripted', llm_api_key_set: true });
    expect(JSON.stringify(saved)).not.toContain('sk-test-key');
  });

  it('a conversation: the command runs, reload mid-run shows every event once, the agent finishes, the file is browsable', async () => {
    llm.enqueue(
      tool('execute_bash', { command: 'echo hello from deft > hello.txt && cat hello.txt' }),
      // A slow step: the page is reloaded while the model "thinks".
      tool('execute_bash', { command: 'echo second step' }, 2_500),
      tool('finish', { message: 'All **done**: wrote `hello.txt`.' }),
    );
    await page.getByLabel('Task').fill('Write hello.txt');
    await page.getByRole('button', { name: /Start/ }).click();
    await page.waitForURL(/#\/c\/[0-9a-f]{32}/);
    const id = conversationId();
    await page
      .locator('.terminal-block .output', { hasText: 'hello from deft' })
      .waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, '02-running.png') });

    await page.reload();
    await page.locator('.event.finish', { hasText: 'All done' }).waitFor({ timeout: 30_000 });
    await page.getByTestId('agent-state').filter({ hasText: 'Finished' }).waitFor();
    // The whole history once, no duplicate, nothing missing: the DOM holds exactly the stored ids.
    await expect.poll(async () => (await renderedEventIds()).length).toBe((await storedEventIds(id)).length);
    const rendered = await renderedEventIds();
    expect(new Set(rendered).size).toBe(rendered.length);
    expect([...rendered].sort((a, b) => a - b)).toEqual(await storedEventIds(id));
    expect(await page.locator('.event.finish strong').textContent()).toBe('done');
    expect(await page.getByTestId('terminal').textContent()).toContain('hello from deft');
    expect(await page.locator('.metrics').textContent()).toMatch(/\d+ tokens · \$/);
    await page.screenshot({ path: join(ARTIFACTS, '03-finished.png') });

    await page.getByRole('tab', { name: 'Files' }).click();
    await page.getByRole('button', { name: 'hello.txt' }).click();
    await expect
      .poll(() => page.locator('.file-content').textContent(), { timeout: 10_000 })
      .toBe('hello from deft\n');
    await page.screenshot({ path: join(ARTIFACTS, '04-file.png') });
  }, 90_000);

  it('stop: a running agent is stopped from the UI and the LLM call is abandoned', async () => {
    llm.enqueue(tool('execute_bash', { command: 'echo never' }, 20_000));
    const before = llm.requests.length;
    await page.getByRole('link', { name: 'New conversation' }).click();
    await page.getByLabel('Task').fill('Take your time');
    await page.getByRole('button', { name: /Start/ }).click();
    await page.waitForURL(/#\/c\/[0-9a-f]{32}/);
    await page.getByRole('button', { name: 'Stop' }).click({ timeout: 30_000 });
    await page.getByTestId('agent-state').filter({ hasText: 'Stopped' }).waitFor({ timeout: 15_000 });
    await expect.poll(() => llm.requests.slice(before).some((request) => request.aborted)).toBe(true);
    expect(await page.locator('.terminal-block').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, '05-stopped.png') });
  }, 60_000);

  it('the list: newest first, rename, search by title, delete', async () => {
    const titles = () => page.locator('.conversation-list .title').allTextContents();
    await expect.poll(async () => (await titles()).length).toBe(2);
    const first = page.locator('.conversation-list li').first();
    await first.getByRole('button', { name: /^Rename/ }).click();
    await page.getByLabel('New title').fill('Patient agent');
    await page.getByLabel('New title').press('Enter');
    await expect.poll(titles).toContain('Patient agent');
    expect((await titles())[0]).toBe('Patient agent'); // the newest conversation is on top
    await page.getByLabel('Search conversations').fill('patient');
    await expect.poll(titles).toEqual(['Patient agent']);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete Patient agent' }).click();
    await page.getByLabel('Search conversations').fill('');
    await expect.poll(async () => (await titles()).length).toBe(1);
  }, 60_000);

  it('confirmation mode from the settings page: a risky command waits for Confirm, another is rejected', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel(/Ask me before risky actions/).check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Settings saved.').waitFor();
    llm.enqueue(
      tool('execute_bash', { command: 'echo confirmed-run', security_risk: 'HIGH' }),
      tool('execute_bash', { command: 'echo rejected-run', security_risk: 'HIGH' }),
    );
    await page.getByRole('link', { name: 'New conversation' }).click();
    await page.getByLabel('Task').fill('Do something risky');
    await page.getByRole('button', { name: /Start/ }).click();
    await page
      .getByTestId('agent-state')
      .filter({ hasText: 'Needs confirmation' })
      .waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, '06-confirm.png') });
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.locator('.terminal-block .output', { hasText: 'confirmed-run' }).waitFor({ timeout: 15_000 });
    await page
      .getByTestId('agent-state')
      .filter({ hasText: 'Needs confirmation' })
      .waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Reject' }).click();
    await page
      .getByTestId('agent-state')
      .filter({ hasText: /Rejected|Waiting for you/ })
      .waitFor({ timeout: 15_000 });
    expect(await page.locator('.terminal-block .output', { hasText: 'rejected-run' }).count()).toBe(0);
    await page
      .locator('.terminal-block', { hasText: 'echo rejected-run' })
      .filter({ hasText: /rejected/i })
      .last()
      .waitFor();
    // The copies that waited for confirmation are history now: nothing still says it waits.
    expect(await page.getByText('waiting for your confirmation').count()).toBe(0);
    await (
      await fetch(`${url}/api/settings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ confirmation_mode: false }),
      })
    ).text();
  }, 60_000);

  it('a narrow window: no horizontal scrolling, the panels switch by tab; and no console error anywhere', async () => {
    await page.setViewportSize({ width: 420, height: 800 });
    await page
      .locator('.conversation-list a')
      .first()
      .click({ force: true })
      .catch(async () => {
        await page.getByRole('button', { name: 'Conversations' }).click();
        await page.locator('.conversation-list a').first().click();
      });
    await page.waitForURL(/#\/c\/[0-9a-f]{32}/);
    await page.locator('.timeline').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
    await page.getByRole('tab', { name: 'Terminal & files' }).click();
    expect(await page.locator('.conversation-side').isVisible()).toBe(true);
    expect(await page.locator('.timeline').isVisible()).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, '07-narrow.png') });
    expect(problems).toEqual([]);
  }, 60_000);
});
