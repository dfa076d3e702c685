import { isIP } from 'node:net';
import { DeftError } from '@deft/protocol';
import type { DeftConfig } from '../config/index.js';

/** Loopback hosts need no auth; anything else needs a session API key unless the user said --insecure. */
export function assertSafeListenAddress(config: DeftConfig): void {
  if (isLoopback(config.host) || config.session_api_key || config.insecure) return;
  throw new DeftError(
    'CONFIG_INVALID',
    `Refusing to listen on ${config.host} without authentication: set SESSION_API_KEY (or session_api_key in config.toml), or pass --insecure`,
  );
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}
