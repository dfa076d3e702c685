import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Settings } from '@deft/protocol';
import { CgroupSupport, defaultRuntimeBundleDir, probeBubblewrap } from '@deft/sandbox';
import type { DeftConfig } from '../config/index.js';

export type CheckLevel = 'ok' | 'warn' | 'fail';

/** One finding of `deft doctor`: what was checked, what was found, and how to fix it when it is not ok. */
export interface Check {
  name: string;
  level: CheckLevel;
  detail: string;
  fix?: string;
}

export interface DiagnosticsOptions {
  /** the saved settings (null when none are saved; undefined when the data dir could not be read) */
  settings?: Settings | null;
  /** how long the LLM reachability probe may take */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Every check `deft doctor` reports, in order. Never throws: a check that breaks reports `fail`. */
export async function runDiagnostics(config: DeftConfig, options: DiagnosticsOptions = {}): Promise<Check[]> {
  const env = options.env ?? process.env;
  const checks: Check[] = [checkNode(), checkDataDir(config), checkRuntimeBundle()];
  checks.push(...checkProcessSandbox(config));
  checks.push(await checkDocker(config, env));
  checks.push(await checkLlm(config, options.settings, options.timeoutMs ?? 5_000));
  return checks;
}

function checkNode(): Check {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 20
    ? { name: 'Node.js', level: 'ok', detail: `v${process.versions.node}` }
    : {
        name: 'Node.js',
        level: 'fail',
        detail: `v${process.versions.node} is too old`,
        fix: 'install Node.js 20 or newer',
      };
}

function checkDataDir(config: DeftConfig): Check {
  const name = 'data dir';
  const dir = config.data_dir;
  if (!existsSync(dir)) {
    return { name, level: 'ok', detail: `${dir} (created on first start)` };
  }
  try {
    accessSync(dir, constants.W_OK);
    rmSync(mkdtempSync(join(dir, '.doctor-')), { recursive: true });
  } catch (error) {
    return {
      name,
      level: 'fail',
      detail: `${dir} is not writable (${(error as Error).message})`,
      fix: `make it writable by this user, or choose another with --data-dir / DEFT_HOME`,
    };
  }
  const stats = statfsSync(dir);
  const freeGiB = (stats.bavail * stats.bsize) / 1024 ** 3;
  if (freeGiB < 1)
    return {
      name,
      level: 'warn',
      detail: `${dir}: only ${freeGiB.toFixed(2)} GiB free`,
      fix: 'free disk space: workspaces and event logs live here',
    };
  return { name, level: 'ok', detail: `${dir} (${freeGiB.toFixed(1)} GiB free)` };
}

function checkRuntimeBundle(): Check {
  const file = join(defaultRuntimeBundleDir(), 'runtime.mjs');
  return existsSync(file)
    ? { name: 'sandbox runtime', level: 'ok', detail: file }
    : {
        name: 'sandbox runtime',
        level: 'fail',
        detail: `${file} is missing`,
        fix: 'build it: npm run build',
      };
}

function checkProcessSandbox(config: DeftConfig): Check[] {
  const needed = config.sandbox.provider === 'process';
  const missingLevel: CheckLevel = needed ? 'fail' : 'warn';
  const checks: Check[] = [];
  const probe = probeBubblewrap('bwrap');
  if (probe === true) {
    checks.push({ name: 'bubblewrap', level: 'ok', detail: 'namespaces (pid, net, ipc, uts) available' });
  } else if (probe === 'bwrap is not installed') {
    checks.push({
      name: 'bubblewrap',
      level: config.sandbox.allow_unisolated ? 'warn' : missingLevel,
      detail: 'not installed: process sandboxes cannot isolate commands',
      fix: 'apt-get install bubblewrap',
    });
  } else {
    checks.push({
      name: 'bubblewrap',
      level: config.sandbox.allow_unisolated ? 'warn' : missingLevel,
      detail: `cannot create namespaces: ${probe}`,
      fix: 'allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or kernel.apparmor_restrict_unprivileged_userns=0), or run Deft as root',
    });
  }
  const slirp = spawnSync('slirp4netns', ['--version'], { encoding: 'utf8' });
  if (slirp.status === 0) {
    checks.push({ name: 'slirp4netns', level: 'ok', detail: 'sandbox network egress available' });
  } else {
    checks.push({
      name: 'slirp4netns',
      level: config.sandbox.network === 'egress' ? missingLevel : 'warn',
      detail: 'not installed: sandboxes can only run without network (sandbox.network = "none")',
      fix: 'apt-get install slirp4netns',
    });
  }
  const cgroups = CgroupSupport.detect();
  checks.push(
    cgroups.mode === 'none'
      ? {
          name: 'cgroups',
          level: 'warn',
          detail: 'no writable memory/pids controllers: sandboxes run without memory, process and CPU limits',
          fix: 'run Deft as root, or delegate a cgroup v2 subtree with the memory and pids controllers to this user',
        }
      : { name: 'cgroups', level: 'ok', detail: `${cgroups.mode}: memory, process and CPU limits enforced` },
  );
  return checks;
}

async function checkDocker(config: DeftConfig, env: NodeJS.ProcessEnv): Promise<Check> {
  const needed = config.sandbox.provider === 'docker';
  const host = config.sandbox.docker_host || env.DOCKER_HOST || '';
  const candidates = host
    ? [host]
    : ['unix:///var/run/docker.sock', 'unix:///run/podman/podman.sock'].filter((url) =>
        existsSync(url.slice('unix://'.length)),
      );
  const name = 'Docker / Podman';
  if (candidates.length === 0) {
    return {
      name,
      level: needed ? 'fail' : 'ok',
      detail: needed
        ? 'no Docker API found (DOCKER_HOST unset, no /var/run/docker.sock)'
        : 'not found — not needed: sandboxes run as processes (sandbox.provider = "process")',
      ...(needed
        ? {
            fix: 'install Docker or Podman (podman system service) and set sandbox.docker_host or DOCKER_HOST',
          }
        : {}),
    };
  }
  let failure = '';
  for (const url of candidates) {
    const answer = await ping(url);
    if (answer === true) return { name, level: 'ok', detail: `Docker API answers at ${url}` };
    failure = `${url} does not answer: ${answer}`;
  }
  return {
    name,
    level: needed ? 'fail' : 'warn',
    detail: failure,
    fix: 'start the engine (systemctl start docker, or podman system service), or fix DOCKER_HOST',
  };
}

function ping(url: string): Promise<true | string> {
  return new Promise((resolve) => {
    const target = url.startsWith('unix://')
      ? { socketPath: url.slice('unix://'.length), path: '/_ping' }
      : (() => {
          const parsed = new URL(url.replace(/^tcp:/, 'http:'));
          return { host: parsed.hostname, port: Number(parsed.port || 2375), path: '/_ping' };
        })();
    const req = request({ ...target, method: 'GET', timeout: 3_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? true : `HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) => resolve(error.message));
    req.end();
  });
}

/** Where a provider's model list lives when the settings give no base URL. */
const PROVIDER_MODELS_URL: Record<string, string> = {
  openai: 'https://api.openai.com/v1/models',
  anthropic: 'https://api.anthropic.com/v1/models',
};

async function checkLlm(
  config: DeftConfig,
  settings: Settings | null | undefined,
  timeoutMs: number,
): Promise<Check> {
  const name = 'LLM';
  const model = settings?.llm_model || config.llm.model;
  const apiKey = settings?.llm_api_key || config.llm.api_key;
  const baseUrl = settings?.llm_base_url || config.llm.base_url;
  if (!model) {
    return {
      name,
      level: 'fail',
      detail: 'no model configured',
      fix: 'open the web UI (deft serve) and save the LLM settings, or set DEFT_LLM__MODEL and DEFT_LLM__API_KEY',
    };
  }
  const provider = model.split('/')[0] ?? '';
  const url = baseUrl ? `${baseUrl.replace(/\/+$/, '')}/models` : PROVIDER_MODELS_URL[provider];
  if (!url) {
    return {
      name,
      level: 'warn',
      detail: `${model}: no base URL to check reachability against`,
      fix: 'set the base URL in the LLM settings (or DEFT_LLM__BASE_URL)',
    };
  }
  const headers: Record<string, string> = {};
  if (apiKey) {
    if (provider === 'anthropic' && !baseUrl) {
      headers['x-api-key'] = apiKey;
      headers['anthropic-version'] = '2023-06-01';
    } else headers.authorization = `Bearer ${apiKey}`;
  }
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (response.status === 401 || response.status === 403)
      return {
        name,
        level: 'fail',
        detail: `${model}: the API key was refused (HTTP ${response.status} from ${url})`,
        fix: 'save a valid API key in the LLM settings',
      };
    // Some compatible servers have no /models; any other answer still proves the server is there.
    return {
      name,
      level: 'ok',
      detail: `${model} at ${new URL(url).origin} answers (HTTP ${response.status})`,
    };
  } catch (error) {
    const reason =
      (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : errorText(error);
    return {
      name,
      level: 'fail',
      detail: `${model}: ${new URL(url).origin} is unreachable (${reason})`,
      fix: 'check the base URL and this machine’s network access to it',
    };
  }
}

function errorText(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
