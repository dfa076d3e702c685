import { chmodSync, rmSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { isDeftError, serializeEvent } from '@deft/protocol';
import { Busboy, type BusboyInstance } from '@fastify/busboy';
import { createDownloadZip, listFiles, receiveUpload } from '../files/index.js';
import { gitChanges, gitDiff, NotARepositoryError } from '../git/git-changes.js';
import { ActionExecutor, type ActionExecutorOptions } from './action-executor.js';
import { keyMatches } from './auth.js';
import { HttpError, readJson, sendJson } from './http-io.js';

export interface RuntimeServerOptions extends ActionExecutorOptions {
  /** Required when set: every route but /alive and /server_info needs X-Session-API-Key (reference §4.1). */
  sessionApiKey?: string;
  maxJsonBytes?: number;
  maxUploadBytes?: number;
}

export type ListenTarget = { socketPath: string } | { host: string; port: number };

/** The action execution server of reference §4.2, on node:http to keep start-up fast. */
export class RuntimeServer {
  readonly executor: ActionExecutor;
  readonly #server: Server;
  readonly #options: RuntimeServerOptions;
  readonly #startedAt = Date.now();
  #socketPath: string | undefined;

  constructor(options: RuntimeServerOptions) {
    this.#options = options;
    this.executor = new ActionExecutor(options);
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => this.#fail(response, error));
    });
  }

  /** Listens and starts bash; /alive answers "not initialized" until bash is ready. */
  async listen(target: ListenTarget): Promise<string> {
    const ready = this.executor.bash.start();
    if ('socketPath' in target) {
      rmSync(target.socketPath, { force: true });
      await new Promise<void>((resolve, reject) =>
        this.#server.once('error', reject).listen(target.socketPath, resolve),
      );
      this.#socketPath = target.socketPath;
      try {
        chmodSync(target.socketPath, 0o666);
      } catch {
        // best effort: some sandboxes forbid chmod on sockets
      }
    } else {
      await new Promise<void>((resolve, reject) =>
        this.#server.once('error', reject).listen(target.port, target.host, resolve),
      );
    }
    await ready;
    if ('socketPath' in target) return target.socketPath;
    const address = this.#server.address() as AddressInfo;
    return `http://${address.address}:${address.port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await this.executor.close();
    if (this.#socketPath) rmSync(this.#socketPath, { force: true });
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://runtime');
    const route = `${request.method} ${url.pathname}`;
    if (route === 'GET /alive') {
      return sendJson(response, 200, { status: this.executor.bash.isReady ? 'ok' : 'not initialized' });
    }
    if (route === 'GET /server_info') return sendJson(response, 200, await this.#serverInfo());
    const key = this.#options.sessionApiKey;
    if (key && !keyMatches(headerValue(request.headers['x-session-api-key']), key)) {
      return sendJson(response, 403, { detail: 'Invalid API Key' });
    }
    const ctx = { cwd: this.executor.bash.cwd, workspaceRoot: this.#options.workspaceRoot };
    switch (route) {
      case 'POST /execute_action': {
        const body = (await readJson(request, this.#options.maxJsonBytes ?? 16 * 1024 * 1024)) as {
          action?: unknown;
        } | null;
        if (
          !body ||
          typeof body !== 'object' ||
          typeof body.action !== 'object' ||
          body.action === null ||
          !('action' in body.action)
        ) {
          throw new HttpError(400, 'Invalid action type');
        }
        let observation: Awaited<ReturnType<ActionExecutor['execute']>>;
        try {
          observation = await this.executor.execute(body.action);
        } catch (error) {
          if (isDeftError(error) && (error.code === 'EVENT_INVALID' || error.code === 'EVENT_UNKNOWN_TYPE')) {
            throw new HttpError(400, `Invalid action type: ${error.message}`);
          }
          throw error;
        }
        return sendJson(response, 200, serializeEvent(observation));
      }
      case 'POST /reset': {
        // Deft's addition: kill every leftover process of the shell session (the shell itself survives).
        return sendJson(response, 200, { killed: await this.executor.reset() });
      }
      case 'POST /list_files': {
        const body = (await readJson(request, 64 * 1024)) as { path?: unknown } | null;
        const path = typeof body?.path === 'string' && body.path ? body.path : null;
        return sendJson(response, 200, await listFiles(path, ctx));
      }
      case 'POST /upload_file': {
        const destination = url.searchParams.get('destination') ?? '';
        const recursive = url.searchParams.get('recursive') === 'true';
        const result = await this.#receiveMultipart(request, async (filename, stream) =>
          receiveUpload({ filename, stream, destination, recursive }, ctx),
        );
        return sendJson(response, 200, result);
      }
      case 'GET /download_files': {
        const { filename, stream } = await createDownloadZip(url.searchParams.get('path') ?? '', ctx);
        response.writeHead(200, {
          'content-type': 'application/zip',
          'content-disposition': `attachment; filename="${filename}"`,
        });
        stream.pipe(response);
        return;
      }
      case 'GET /git/changes':
      case 'GET /git/diff': {
        // Deft's addition (the reference runs a script in the sandbox for these): git in the workspace.
        const root = this.#options.workspaceRoot;
        try {
          if (route === 'GET /git/changes') return sendJson(response, 200, await gitChanges(root));
          return sendJson(response, 200, await gitDiff(root, url.searchParams.get('path') ?? ''));
        } catch (error) {
          if (error instanceof NotARepositoryError) return sendJson(response, 404, { error: error.message });
          return sendJson(response, 500, { error: (error as Error).message });
        }
      }
      default:
        return sendJson(response, 404, { detail: 'Not Found' });
    }
  }

  #receiveMultipart<T>(
    request: IncomingMessage,
    onFile: (filename: string, stream: Readable) => Promise<T>,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let busboy: BusboyInstance;
      try {
        busboy = new Busboy({
          headers: request.headers as never,
          limits: { files: 1, fileSize: this.#options.maxUploadBytes ?? 512 * 1024 * 1024 },
        });
      } catch {
        reject(new HttpError(422, 'Invalid request parameters'));
        return;
      }
      let handled: Promise<T> | undefined;
      busboy.on('file', (field: string, stream: Readable, filename: string) => {
        if (field !== 'file' || handled) {
          stream.resume();
          return;
        }
        stream.on('limit', () => reject(new HttpError(413, 'Uploaded file is too large')));
        handled = onFile(filename, stream);
        handled.catch(reject);
      });
      busboy.on('finish', () => {
        if (!handled) reject(new HttpError(422, 'Invalid request parameters'));
        else handled.then(resolve, reject);
      });
      busboy.on('error', () => reject(new HttpError(422, 'Invalid request parameters')));
      request.pipe(busboy);
    });
  }

  async #serverInfo(): Promise<Record<string, unknown>> {
    const memory = process.memoryUsage();
    const disk = await statfs(this.#options.workspaceRoot).catch(() => null);
    const total = disk ? disk.blocks * disk.bsize : 0;
    const free = disk ? disk.bavail * disk.bsize : 0;
    const uptime = (Date.now() - this.#startedAt) / 1000;
    const cpu = process.cpuUsage();
    return {
      uptime,
      idle_time: this.executor.idleSeconds,
      resources: {
        cpu_percent: uptime > 0 ? Number((((cpu.user + cpu.system) / 1e6 / uptime) * 100).toFixed(2)) : 0,
        memory: { rss: memory.rss, vms: memory.heapTotal + memory.external, percent: 0 },
        disk: {
          total,
          used: total - free,
          free,
          percent: total ? Number((((total - free) / total) * 100).toFixed(2)) : 0,
        },
        io: { read_bytes: 0, write_bytes: 0 },
      },
    };
  }

  #fail(response: ServerResponse, error: unknown): void {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (error instanceof HttpError) sendJson(response, error.status, { detail: error.detail });
    else if (isDeftError(error))
      sendJson(response, error.status, { detail: error.message, code: error.code });
    else sendJson(response, 500, { detail: `Internal server error: ${(error as Error).message}` });
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
