import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ScriptedLlm, startScriptedLlm } from '@deft/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { type RunningServer, startServer } from '../src/lifecycle/serve.js';
import { createLogger } from '../src/logging/logger.js';
import { apiClient, SANDBOX_SKIP_REASON, until } from '../src/testing/server-harness.js';

if (SANDBOX_SKIP_REASON && process.env.CI === 'true') {
  it('workspace routes: a real sandbox is required when CI=true', () => {
    throw new Error(SANDBOX_SKIP_REASON);
  });
}

describe.skipIf(Boolean(SANDBOX_SKIP_REASON))(
  'workspace routes: upload-files, git changes and diff (reference §1.3)',
  () => {
    let home: string;
    let repo: string;
    let server: RunningServer;
    let llm: ScriptedLlm;
    const api = apiClient(() => server.url);

    beforeAll(async () => {
      home = mkdtempSync(join(tmpdir(), 'deft-workspace-'));
      repo = mkdtempSync(join(tmpdir(), 'deft-workspace-repo-'));
      const git = (...args: string[]) =>
        spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', ...args], {
          cwd: repo,
          encoding: 'utf8',
        });
      git('init', '-q', '-b', 'main');
      writeFileSync(join(repo, 'app.txt'), 'version 1\n');
      git('add', '.');
      git('commit', '-qm', 'init');
      llm = await startScriptedLlm();
      server = await startServer(
        loadConfig({
          env: { DEFT_HOME: home },
          overrides: { port: 0, server: { rate_limit_per_second: 0, upload_file_limit_bytes: 1024 } },
        }),
        { logger: createLogger({ level: 'silent' }) },
      );
      await api.saveSettings(llm.baseUrl);
    });
    afterAll(async () => {
      await server?.close();
      await llm?.close();
      rmSync(home, { recursive: true, force: true });
      rmSync(repo, { recursive: true, force: true });
    });

    it('uploads files into /workspace, skipping oversized and badly named ones; git routes report the changes', async () => {
      const id = (await api.post('/api/conversations', { git_url: `file://${repo}` })).body
        .conversation_id as string;
      await until(async () => (await api.get(`/api/conversations/${id}`)).body.status === 'RUNNING');

      const form = new FormData();
      form.append('files', new Blob(['hello upload\n']), 'notes.txt');
      form.append('files', new Blob([Buffer.from([0, 1, 2, 255])]), 'data.bin');
      form.append('files', new Blob(['x'.repeat(2048)]), 'big.txt');
      form.append('files', new Blob(['nope']), '..');
      const uploaded = await fetch(`${server.url}/api/conversations/${id}/upload-files`, {
        method: 'POST',
        body: form,
      });
      expect(uploaded.status).toBe(200);
      const body = (await uploaded.json()) as {
        uploaded_files: string[];
        skipped_files: { name: string; reason: string }[];
      };
      expect(body.uploaded_files).toEqual(['/workspace/notes.txt', '/workspace/data.bin']);
      // busboy already reduces '..' to an empty name; either way it is refused
      expect(body.skipped_files.map((s) => s.reason)).toEqual([
        expect.stringContaining('1024'),
        'invalid file name',
      ]);
      expect(body.skipped_files[0]!.name).toBe('big.txt');
      expect(body.skipped_files[0]!.reason).toContain('1024 bytes');
      const workspace = join(home, 'workspaces', id);
      expect(readFileSync(join(workspace, 'notes.txt'), 'utf8')).toBe('hello upload\n');
      expect([...readFileSync(join(workspace, 'data.bin'))]).toEqual([0, 1, 2, 255]);

      writeFileSync(join(workspace, 'app.txt'), 'version 2\n');
      const changes = await api.get(`/api/conversations/${id}/git/changes`);
      expect(changes.status).toBe(200);
      expect(changes.body).toEqual(
        expect.arrayContaining([
          { status: 'M', path: 'app.txt' },
          { status: 'A', path: 'notes.txt' },
          { status: 'A', path: 'data.bin' },
        ]),
      );
      expect((await api.get(`/api/conversations/${id}/git/diff?path=app.txt`)).body).toEqual({
        modified: 'version 2\n',
        original: 'version 1\n',
      });
      expect((await api.get(`/api/conversations/${id}/git/diff`)).status).toBe(422);

      const notMultipart = await api.post(`/api/conversations/${id}/upload-files`, { files: [] });
      expect(notMultipart.status).toBe(400);
      await server.manager.stop(id);
      expect((await api.get(`/api/conversations/${id}/git/changes`)).body).toEqual({
        error: 'Runtime not yet initialized',
      });
    });

    it('answers 404 "Not a git repository" for a plain workspace', async () => {
      const id = (await api.post('/api/conversations', {})).body.conversation_id as string;
      await until(async () => (await api.get(`/api/conversations/${id}`)).body.status === 'RUNNING');
      const changes = await api.get(`/api/conversations/${id}/git/changes`);
      expect(changes).toEqual({ status: 404, body: { error: 'Not a git repository' } });
      await server.manager.stop(id);
    });
  },
);
