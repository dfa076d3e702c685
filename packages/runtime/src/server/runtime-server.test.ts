import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { multipartFile, socketRequest } from '../testing/socket-client.js';
import { RuntimeServer } from './runtime-server.js';

const KEY = 'test-session-key';
const auth = { 'x-session-api-key': KEY };

async function zipBuffer(entries: Record<string, string>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(entries)) zip.addBuffer(Buffer.from(content), name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function zipEntries(buffer: Buffer): Promise<string[]> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(buffer, (e, z) => (e ? reject(e) : resolve(z!))),
  );
  return new Promise((resolve) => {
    const names: string[] = [];
    zip.on('entry', (entry: yauzl.Entry) => names.push(entry.fileName));
    zip.on('end', () => resolve(names.sort()));
  });
}

describe('runtime action server over a unix socket (reference §4.1, §4.2)', () => {
  let dir: string;
  let workspace: string;
  let socket: string;
  let server: RuntimeServer;
  const post = (path: string, body: object) => socketRequest(socket, 'POST', path, { body, headers: auth });
  const run = async (command: string) =>
    (await post('/execute_action', { action: { action: 'run', args: { command } } })).json<
      Record<string, any>
    >();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'deft-runtime-'));
    workspace = join(dir, 'workspace');
    mkdirSync(workspace);
    socket = join(dir, 'runtime.sock');
    server = new RuntimeServer({
      workspaceRoot: workspace,
      sessionApiKey: KEY,
      bash: { softTimeoutSeconds: 2 },
    });
    await server.listen({ socketPath: socket });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('§4.1 /alive and /server_info need no key; other routes answer 403 {"detail":"Invalid API Key"} without it', async () => {
    expect((await socketRequest(socket, 'GET', '/alive')).json()).toEqual({ status: 'ok' });
    const info = (await socketRequest(socket, 'GET', '/server_info')).json<Record<string, any>>();
    expect(info.uptime).toBeGreaterThanOrEqual(0);
    expect(info.resources.memory.rss).toBeGreaterThan(0);
    for (const headers of [{}, { 'x-session-api-key': 'wrong' }]) {
      const denied = await socketRequest(socket, 'POST', '/execute_action', {
        body: { action: { action: 'run', args: { command: 'id' } } },
        headers,
      });
      expect(denied.status).toBe(403);
      expect(denied.json()).toEqual({ detail: 'Invalid API Key' });
    }
  });

  it('§4.2 POST /execute_action runs a command and returns the serialized observation without id or cause', async () => {
    const observation = await run('echo hi');
    expect(observation).toMatchObject({
      message: 'Command `echo hi` executed with exit code 0.',
      observation: 'run',
      content: 'hi',
      extras: { command: 'echo hi', metadata: { exit_code: 0, working_dir: workspace }, hidden: false },
      success: true,
    });
    expect(observation).not.toHaveProperty('id');
    expect(observation).not.toHaveProperty('cause');
  });

  it('§4.2 a body without an action is 400 "Invalid action type"; an unknown action too', async () => {
    const missing = await post('/execute_action', { nothing: true });
    expect(missing.status).toBe(400);
    expect(missing.json()).toEqual({ detail: 'Invalid action type' });
    const unknown = await post('/execute_action', { action: { action: 'teleport', args: {} } });
    expect(unknown.status).toBe(400);
    expect(unknown.json<{ detail: string }>().detail).toContain('Invalid action type');
  });

  it('answers run_ipython and browse with an error observation, think with its fixed text', async () => {
    const ipython = (
      await post('/execute_action', { action: { action: 'run_ipython', args: { code: '1+1' } } })
    ).json();
    expect(ipython).toMatchObject({
      observation: 'error',
      content: 'Action run_ipython is not supported by this runtime yet.',
      extras: { error_id: 'AGENT_ERROR$BAD_ACTION' },
    });
    const browse = (
      await post('/execute_action', { action: { action: 'browse', args: { url: 'http://x' } } })
    ).json();
    expect(browse).toMatchObject({ observation: 'error' });
    expect(
      (await post('/execute_action', { action: { action: 'think', args: { thought: 'x' } } })).json(),
    ).toMatchObject({
      observation: 'think',
      content: 'Your thought has been logged.',
    });
  });

  it('§4.4 edit and read through the API: Appendix A edit observation with its diff', async () => {
    const path = join(workspace, 'a.py');
    await post('/execute_action', {
      action: { action: 'edit', args: { command: 'create', path, file_text: 'x = 1' } },
    });
    const edited = (
      await post('/execute_action', {
        action: {
          action: 'edit',
          args: { command: 'str_replace', path, old_str: 'x = 1', new_str: 'x = 2' },
        },
      })
    ).json();
    expect(edited).toEqual({
      message: `I edited the file ${path}.`,
      observation: 'edit',
      content: `The file ${path} has been edited. Here's the result of running \`cat -n\` on a snippet of ${path}:\n     1\tx = 2\nReview the changes and make sure they are as expected. Edit the file again if necessary.`,
      extras: {
        path,
        prev_exist: true,
        old_content: 'x = 1',
        new_content: 'x = 2',
        impl_source: 'oh_aci',
        diff: `--- ${path}\n+++ ${path}\n@@ -1 +1 @@\n-x = 1\n+x = 2`,
        _diff_cache: null,
      },
    });
    const viewed = (
      await post('/execute_action', { action: { action: 'read', args: { path, impl_source: 'oh_aci' } } })
    ).json();
    expect(viewed).toMatchObject({
      observation: 'read',
      content: `Here's the result of running \`cat -n\` on ${path}:\n     1\tx = 2\n`,
    });
    const failed = (
      await post('/execute_action', {
        action: { action: 'edit', args: { command: 'view', path: 'rel.txt' } },
      })
    ).json<{ content: string }>();
    expect(failed.content.startsWith('ERROR:\nInvalid `path` parameter: rel.txt.')).toBe(true);
    const plain = (await post('/execute_action', { action: { action: 'read', args: { path } } })).json();
    expect(plain).toMatchObject({
      observation: 'read',
      content: 'x = 2',
      message: `I read the file ${path}.`,
    });
    const written = (
      await post('/execute_action', {
        action: { action: 'write', args: { path: join(workspace, 'w/b.txt'), content: 'hello' } },
      })
    ).json();
    expect(written).toMatchObject({ observation: 'write', content: '' });
    expect(readFileSync(join(workspace, 'w/b.txt'), 'utf8')).toBe('hello');
  });

  it('§4.2 POST /list_files: directories first with a slash, case-insensitive order; missing → []', async () => {
    mkdirSync(join(workspace, 'Zeta'));
    mkdirSync(join(workspace, 'alpha'));
    writeFileSync(join(workspace, 'B.txt'), '');
    writeFileSync(join(workspace, 'c.txt'), '');
    const listed = (await post('/list_files', { path: workspace })).json<string[]>();
    expect(listed).toEqual(['alpha/', 'w/', 'Zeta/', 'a.py', 'B.txt', 'c.txt']);
    expect((await post('/list_files', {})).json()).toEqual(listed);
    expect((await post('/list_files', { path: join(workspace, 'nope') })).json()).toEqual([]);
  });

  it('§4.2 upload a file and a zip (extracted), then download the tree as a zip', async () => {
    const single = multipartFile('notes.txt', Buffer.from('note'));
    const uploaded = await socketRequest(
      socket,
      'POST',
      `/upload_file?destination=${encodeURIComponent(join(workspace, 'up'))}`,
      {
        body: single.body,
        headers: { ...auth, 'content-type': single.contentType },
      },
    );
    expect(uploaded.status).toBe(200);
    expect(uploaded.json()).toEqual({
      filename: 'notes.txt',
      destination: join(workspace, 'up'),
      recursive: false,
    });
    expect(readFileSync(join(workspace, 'up/notes.txt'), 'utf8')).toBe('note');

    const zipped = multipartFile('bundle.zip', await zipBuffer({ 'pkg/one.txt': '1', 'pkg/two.txt': '2' }));
    const extracted = await socketRequest(
      socket,
      'POST',
      `/upload_file?destination=${encodeURIComponent(join(workspace, 'up'))}&recursive=true`,
      {
        body: zipped.body,
        headers: { ...auth, 'content-type': zipped.contentType },
      },
    );
    expect(extracted.status).toBe(200);
    expect(readFileSync(join(workspace, 'up/pkg/two.txt'), 'utf8')).toBe('2');
    expect(existsSync(join(workspace, 'up/bundle.zip'))).toBe(false);

    const download = await socketRequest(
      socket,
      'GET',
      `/download_files?path=${encodeURIComponent(join(workspace, 'up'))}`,
      { headers: auth },
    );
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('application/zip');
    expect(await zipEntries(download.body)).toEqual(['notes.txt', 'pkg/', 'pkg/one.txt', 'pkg/two.txt']);
  });

  it('§4.2 upload/download errors: relative destination 400, missing path 404', async () => {
    const file = multipartFile('x.txt', Buffer.from('x'));
    const relative = await socketRequest(socket, 'POST', '/upload_file?destination=up', {
      body: file.body,
      headers: { ...auth, 'content-type': file.contentType },
    });
    expect(relative.status).toBe(400);
    expect(relative.json()).toMatchObject({ detail: 'Destination must be an absolute path' });
    const missing = await socketRequest(
      socket,
      'GET',
      `/download_files?path=${encodeURIComponent(join(workspace, 'missing'))}`,
      { headers: auth },
    );
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ detail: 'File not found' });
  });

  it('path traversal through list/upload/download is refused: ../, absolute elsewhere, symlinks out, zip-slip', async () => {
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'host secret');
    symlinkSync(outside, join(workspace, 'escape'));

    for (const path of [join(workspace, '..', 'outside'), outside, join(workspace, 'escape')]) {
      const listed = await post('/list_files', { path });
      expect(listed.status).toBe(400);
      expect(listed.json()).toMatchObject({ code: 'PATH_OUTSIDE_WORKSPACE' });
      const download = await socketRequest(
        socket,
        'GET',
        `/download_files?path=${encodeURIComponent(path)}`,
        { headers: auth },
      );
      expect(download.status).toBe(400);
    }
    const file = multipartFile('evil.txt', Buffer.from('evil'));
    const upload = await socketRequest(
      socket,
      'POST',
      `/upload_file?destination=${encodeURIComponent(join(workspace, 'escape'))}`,
      {
        body: file.body,
        headers: { ...auth, 'content-type': file.contentType },
      },
    );
    expect(upload.status).toBe(400);
    expect(existsSync(join(outside, 'evil.txt'))).toBe(false);

    // yazl refuses to write `../` names, so write a same-length name and patch it into the archive.
    const forged = (await zipBuffer({ 'AA/AA/outside/slipped.txt': 'slip' }))
      .toString('latin1')
      .replaceAll('AA/AA/', '../../');
    const slip = multipartFile('slip.zip', Buffer.from(forged, 'latin1'));
    const slipped = await socketRequest(
      socket,
      'POST',
      `/upload_file?destination=${encodeURIComponent(join(workspace, 'up'))}&recursive=true`,
      {
        body: slip.body,
        headers: { ...auth, 'content-type': slip.contentType },
      },
    );
    expect(slipped.status).toBe(400);
    expect(existsSync(join(outside, 'slipped.txt'))).toBe(false);

    // A download of the workspace does not follow the symlink out of it.
    const whole = await socketRequest(
      socket,
      'GET',
      `/download_files?path=${encodeURIComponent(workspace)}`,
      { headers: auth },
    );
    expect((await zipEntries(whole.body)).some((name) => name.includes('secret'))).toBe(false);
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('host secret');
  });
});

const bundle = fileURLToPath(new URL('../../dist/bundle/runtime.mjs', import.meta.url));
const BUNDLE_SKIP = existsSync(bundle) ? '' : 'runtime bundle not built (npm test builds it)';

describe.skipIf(Boolean(BUNDLE_SKIP))(
  `bundled runtime${BUNDLE_SKIP ? ` (skipped: ${BUNDLE_SKIP})` : ''}`,
  () => {
    it('runs with node alone from dist/bundle, answers /alive and an echo, and exits 0 on SIGTERM taking its jobs along', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'deft-bundle-'));
      const socket = join(dir, 'rt.sock');
      const child = spawn(process.execPath, [bundle, '--socket', socket, '--workspace', dir], {
        stdio: 'ignore',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SESSION_API_KEY: KEY },
      });
      try {
        const deadline = Date.now() + 15_000;
        for (;;) {
          const alive = await socketRequest(socket, 'GET', '/alive').catch(() => null);
          if (alive?.json<{ status: string }>().status === 'ok') break;
          if (Date.now() > deadline) throw new Error('bundled runtime did not become alive');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const observation = await socketRequest(socket, 'POST', '/execute_action', {
          body: { action: { action: 'run', args: { command: 'echo bundled' } } },
          headers: auth,
        });
        expect(observation.json()).toMatchObject({ content: 'bundled', success: true });
        // SIGTERM ends the runtime cleanly and takes the shell's background jobs with it.
        const background = await socketRequest(socket, 'POST', '/execute_action', {
          body: { action: { action: 'run', args: { command: 'sleep 300 & echo $!' } } },
          headers: auth,
        });
        const sleeper = Number(background.json<{ content: string }>().content.trim().split('\n').pop());
        expect(sleeper).toBeGreaterThan(1);
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
        expect(existsSync(socket)).toBe(false);
        expect(isGone(sleeper)).toBe(true);
      } finally {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGKILL');
          await exited;
        }
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);

describe('runtime action server over TCP (reference §4.2)', () => {
  it('listens on a loopback port when given --port instead of --socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deft-runtime-tcp-'));
    const server = new RuntimeServer({ workspaceRoot: dir, sessionApiKey: KEY });
    try {
      const url = await server.listen({ host: '127.0.0.1', port: 0 });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (await fetch(`${url}/alive`)).json()).toEqual({ status: 'ok' });
      const response = await fetch(`${url}/execute_action`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-session-api-key': KEY },
        body: JSON.stringify({ action: { action: 'run', args: { command: 'echo over-tcp' } } }),
      });
      expect(await response.json()).toMatchObject({ content: 'over-tcp', success: true });
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** True when the process no longer exists or is a zombie waiting for its (now dead) parent's reaper. */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('runtime action server limits (reference §4.2)', () => {
  it('answers an unknown route 404 and a body over the limit 413 without running it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deft-runtime-limits-'));
    const server = new RuntimeServer({ workspaceRoot: dir, maxJsonBytes: 1024 });
    try {
      const url = await server.listen({ host: '127.0.0.1', port: 0 });
      const missing = await fetch(`${url}/no_such_route`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ detail: 'Not Found' });
      const command = `echo ${'x'.repeat(2048)} > ${join(dir, 'big.txt')}`;
      const tooBig = await fetch(`${url}/execute_action`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: { action: 'run', args: { command } } }),
      });
      expect(tooBig.status).toBe(413);
      expect(existsSync(join(dir, 'big.txt'))).toBe(false);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
