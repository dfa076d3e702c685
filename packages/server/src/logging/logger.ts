import { type Logger, pino } from 'pino';

/** Paths whose values never reach a log line, whatever the level. */
const REDACTED_PATHS = [
  'req.headers["x-session-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.api_key',
  '*.llm_api_key',
  '*.session_api_key',
  '*.apiKey',
  '*.sessionApiKey',
  '*.token',
  '*.secret',
];

/** Query parameters that may carry a credential (WebSocket and Socket.IO clients pass the key this way). */
const SECRET_QUERY_PARAMETERS = /([?&](?:session_api_key|api_key|token)=)[^&#]*/gi;

/** The request as Fastify logs it, with credentials in the query string censored. */
function requestForLog(request: {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}) {
  return {
    method: request.method,
    url: request.url?.replace(SECRET_QUERY_PARAMETERS, '$1<secret_hidden>'),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

export function createLogger(options: { level: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: '<secret_hidden>' },
      serializers: { req: requestForLog },
      base: { service: 'deft' },
    },
    (options.destination as pino.DestinationStream | undefined) ?? pino.destination({ dest: 2, sync: false }),
  );
}

export type { Logger };
