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

export function createLogger(options: { level: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: '<secret_hidden>' },
      base: { service: 'deft' },
    },
    (options.destination as pino.DestinationStream | undefined) ?? pino.destination({ dest: 2, sync: false }),
  );
}

export type { Logger };
