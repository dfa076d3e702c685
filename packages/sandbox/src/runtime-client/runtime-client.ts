import { Agent, request } from 'node:http';
import {
  type ActionEvent,
  DeftError,
  type ObservationEvent,
  parseObservation,
  serializeEvent,
} from '@deft/protocol';
import type { RuntimeEndpoint } from '../provider.js';

export interface RuntimeClientOptions {
  endpoint: RuntimeEndpoint;
  sessionApiKey: string;
  /** default hard timeout of a `run` action without one (reference §4.2: sandbox.timeout, 120 s) */
  defaultActionTimeoutSeconds?: number;
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * The host's HTTP client for the runtime's action-server API (reference §4.2) over a unix socket or TCP,
 * with a keep-alive connection so a round trip costs one request, not one connect.
 */
export class RuntimeClient {
  readonly #endpoint: RuntimeEndpoint;
  readonly #key: string;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 8 });
  readonly #defaultTimeout: number;

  constructor(options: RuntimeClientOptions) {
    this.#endpoint = options.endpoint;
    this.#key = options.sessionApiKey;
    this.#defaultTimeout = options.defaultActionTimeoutSeconds ?? 120;
  }

  /** true when the runtime answers `{"status":"ok"}`. */
  async alive(timeoutMs = 5_000): Promise<boolean> {
    try {
      const response = await this.#request('GET', '/alive', { timeoutMs });
      return (
        response.status === 200 &&
        (JSON.parse(response.body.toString('utf8')) as { status?: string }).status === 'ok'
      );
    } catch {
      return false;
    }
  }

  async serverInfo(): Promise<Record<string, unknown>> {
    return this.#json(await this.#request('GET', '/server_info', { timeoutMs: 5_000 }));
  }

  /**
   * Sends the action and returns its observation. A `run` without a timeout gets the default hard timeout
   * (non-blocking); the HTTP deadline is the action's timeout plus 5 s, as in the reference client.
   */
  async executeAction(
    action: ActionEvent,
    options: { signal?: AbortSignal } = {},
  ): Promise<ObservationEvent> {
    const timeout = action.timeout ?? (action.action === 'run' ? this.#defaultTimeout : undefined);
    const sent = timeout === undefined ? action : { ...action, timeout };
    const deadline = ((timeout ?? this.#defaultTimeout) + 5) * 1000;
    const response = await this.#request('POST', '/execute_action', {
      body: JSON.stringify({ action: serializeEvent(sent) }),
      timeoutMs: deadline,
      signal: options.signal,
    });
    return parseObservation(this.#json(response));
  }

  async listFiles(path?: string | null): Promise<string[]> {
    return this.#json(
      await this.#request('POST', '/list_files', {
        body: JSON.stringify({ path: path ?? null }),
        timeoutMs: 10_000,
      }),
    );
  }

  async uploadFile(
    destination: string,
    filename: string,
    content: Buffer,
    options: { recursive?: boolean } = {},
  ): Promise<unknown> {
    const boundary = `----deft${Math.random().toString(16).slice(2)}`;
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename.replace(/"/g, '')}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      content,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const query = `destination=${encodeURIComponent(destination)}&recursive=${options.recursive ? 'true' : 'false'}`;
    return this.#json(
      await this.#request('POST', `/upload_file?${query}`, {
        body,
        contentType: `multipart/form-data; boundary=${boundary}`,
        timeoutMs: 300_000,
      }),
    );
  }

  /** The zip of the tree under `path` (reference GET /download_files). */
  async downloadFiles(path: string): Promise<Buffer> {
    const response = await this.#request('GET', `/download_files?path=${encodeURIComponent(path)}`, {
      timeoutMs: 30_000,
    });
    if (response.status !== 200) this.#json(response);
    return response.body;
  }

  /** The workspace's git changes (reference §1.3 git/changes); null when it is not a git repository. */
  async gitChanges(): Promise<{ status: string; path: string }[] | null> {
    const response = await this.#request('GET', '/git/changes', { timeoutMs: 60_000 });
    if (response.status === 404) return null;
    return this.#json(response);
  }

  /** A file now and at the base commit (reference §1.3 git/diff); null when it is not a git repository. */
  async gitDiff(path: string): Promise<{ modified: string; original: string } | null> {
    const response = await this.#request('GET', `/git/diff?path=${encodeURIComponent(path)}`, {
      timeoutMs: 60_000,
    });
    if (response.status === 404) return null;
    return this.#json(response);
  }

  close(): void {
    this.#agent.destroy();
  }

  #json<T>(response: RawResponse): T {
    let body: unknown;
    try {
      body = JSON.parse(response.body.toString('utf8'));
    } catch {
      throw new DeftError(
        'RUNTIME_UNREACHABLE',
        `The runtime answered ${response.status} with a body that is not JSON`,
      );
    }
    if (response.status >= 400) {
      const detail = (body as { detail?: unknown; code?: unknown }) ?? {};
      const message = typeof detail.detail === 'string' ? detail.detail : `runtime error ${response.status}`;
      if (response.status === 403) throw new DeftError('FORBIDDEN', message);
      if (detail.code === 'PATH_OUTSIDE_WORKSPACE') throw new DeftError('PATH_OUTSIDE_WORKSPACE', message);
      if (response.status === 404) throw new DeftError('FILE_NOT_FOUND', message);
      if (response.status === 400 || response.status === 422)
        throw new DeftError('RUNTIME_BAD_ACTION', message);
      throw new DeftError('RUNTIME_UNREACHABLE', message, { details: { status: response.status } });
    }
    return body as T;
  }

  #request(
    method: string,
    path: string,
    options: { body?: string | Buffer; contentType?: string; timeoutMs: number; signal?: AbortSignal },
  ): Promise<RawResponse> {
    const target =
      'socketPath' in this.#endpoint
        ? { socketPath: this.#endpoint.socketPath }
        : urlTarget(this.#endpoint.baseUrl);
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { 'x-session-api-key': this.#key };
      if (options.body !== undefined) {
        headers['content-type'] = options.contentType ?? 'application/json';
        headers['content-length'] = Buffer.byteLength(options.body);
      }
      const req = request(
        { ...target, method, path, headers, agent: this.#agent, signal: options.signal },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', reject);
        },
      );
      req.setTimeout(options.timeoutMs, () =>
        req.destroy(
          new DeftError(
            'RUNTIME_TIMEOUT',
            `The runtime did not answer ${method} ${path} within ${options.timeoutMs} ms`,
          ),
        ),
      );
      req.on('error', (error) => {
        if (error instanceof DeftError) return reject(error);
        if ((error as Error).name === 'AbortError')
          return reject(
            new DeftError('RUNTIME_TIMEOUT', 'The runtime request was aborted', { cause: error }),
          );
        reject(
          new DeftError('RUNTIME_UNREACHABLE', `The runtime is unreachable: ${(error as Error).message}`, {
            cause: error,
          }),
        );
      });
      req.end(options.body);
    });
  }
}

function urlTarget(baseUrl: string): { host: string; port: number } {
  const url = new URL(baseUrl);
  return { host: url.hostname, port: Number(url.port || 80) };
}
