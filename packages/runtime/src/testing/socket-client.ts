import { request } from 'node:http';

export interface SocketResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json<T = unknown>(): T;
}

/** A minimal HTTP client over a unix socket, for talking to the runtime as the sandbox provider does. */
export function socketRequest(
  socketPath: string,
  method: string,
  path: string,
  options: { body?: Buffer | string | object; headers?: Record<string, string> } = {},
): Promise<SocketResponse> {
  const raw =
    options.body === undefined
      ? undefined
      : Buffer.isBuffer(options.body) || typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (raw !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          json: <T>() => JSON.parse(body.toString('utf8')) as T,
        });
      });
    });
    req.on('error', reject);
    req.end(raw);
  });
}

/** multipart/form-data with one file part named `file`. */
export function multipartFile(filename: string, content: Buffer): { body: Buffer; contentType: string } {
  const boundary = `----deft${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    body: Buffer.concat([head, content, tail]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
