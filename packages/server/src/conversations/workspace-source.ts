import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { DeftError } from '@deft/protocol';

/** The default workspace of a conversation: a folder of its own under the data dir. */
export function defaultWorkspaceDir(dataDir: string, conversationId: string): string {
  return join(dataDir, 'workspaces', conversationId);
}

/** A local folder given by the user as the workspace: absolute, existing, a directory. */
export function checkWorkspacePath(path: string): string {
  if (!isAbsolute(path))
    throw new DeftError('VALIDATION_FAILED', `workspace_path must be an absolute path, got ${path}`);
  const resolved = resolve(path);
  let isDirectory = false;
  try {
    isDirectory = statSync(resolved).isDirectory();
  } catch {
    throw new DeftError('VALIDATION_FAILED', `workspace_path ${resolved} does not exist`);
  }
  if (!isDirectory) throw new DeftError('VALIDATION_FAILED', `workspace_path ${resolved} is not a directory`);
  return resolved;
}

const GIT_URL = /^(https?|ssh|git|file):\/\/[^\s]+$|^[\w.-]+@[\w.-]+:[^\s]+$/;

/** A git URL to clone: http(s), ssh, git, file or scp-like; never a transport helper such as `ext::`. */
export function checkGitUrl(url: string): string {
  const trimmed = url.trim();
  if (!GIT_URL.test(trimmed) || trimmed.startsWith('-'))
    throw new DeftError('VALIDATION_FAILED', `git_url is not a git URL this server clones: ${url}`);
  return trimmed;
}

/** The clone URL of a provider repository given as `owner/name` (reference §1.3 `repository`). */
export function repositoryUrl(repository: string, provider: string | null): string {
  const host =
    provider === 'gitlab' ? 'gitlab.com' : provider === 'bitbucket' ? 'bitbucket.org' : 'github.com';
  return `https://${host}/${repository}.git`;
}

export function isRemoteSource(source: string | null): source is string {
  return !!source && (GIT_URL.test(source) || /^[\w.-]+\/[\w.-]+$/.test(source));
}

/**
 * Clones `url` into `dir` unless the folder already has content (a resumed conversation keeps its work).
 * Runs on the host with prompts disabled and a timeout; the sandbox then mounts the folder as /workspace.
 */
export async function cloneInto(dir: string, url: string, timeoutMs: number): Promise<boolean> {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (readdirSync(dir).length > 0) return false;
  await new Promise<void>((resolveClone, reject) => {
    execFile(
      'git',
      ['clone', '--quiet', '--', url, dir],
      {
        timeout: timeoutMs,
        env: {
          ...process.env,
          GIT_TERMINAL_PROMPT: '0',
          GIT_ASKPASS: 'true',
          GIT_ALLOW_PROTOCOL: 'http:https:ssh:git:file',
        },
      },
      (error, _stdout, stderr) => {
        if (!error) return resolveClone();
        reject(
          new DeftError(
            'VALIDATION_FAILED',
            `Cloning ${url} failed: ${String(stderr).trim() || error.message}`,
          ),
        );
      },
    );
  });
  return true;
}
