import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DeftError } from '@deft/protocol';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

/**
 * Encrypts secrets at rest with AES-256-GCM. The stored form is `v1.<iv>.<tag>.<ciphertext>` (base64url), so
 * a value tampered with on disk fails authentication instead of decrypting to garbage.
 */
export class SecretCipher {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES)
      throw new DeftError('SECRET_KEY_INVALID', `The secret key must be ${KEY_BYTES} bytes`);
    this.#key = key;
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      FORMAT,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ].join('.');
  }

  decrypt(stored: string): string {
    const [format, iv, tag, body] = stored.split('.');
    if (format !== FORMAT || iv === undefined || tag === undefined || body === undefined) {
      throw new DeftError('SECRET_KEY_INVALID', 'A stored secret is not in a known format');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch (error) {
      throw new DeftError(
        'SECRET_KEY_INVALID',
        'A stored secret could not be decrypted (wrong key or tampered data)',
        {
          cause: error,
        },
      );
    }
  }
}

/**
 * The key comes from DEFT_SECRET_KEY (64 hex chars or base64 of 32 bytes); otherwise it is generated once
 * into `<dataDir>/secret.key` with mode 0600 and reused.
 */
export function loadSecretKey(options: { dataDir: string; env?: NodeJS.ProcessEnv }): Buffer {
  const fromEnv = (options.env ?? process.env).DEFT_SECRET_KEY;
  if (fromEnv) return decodeKey(fromEnv, 'DEFT_SECRET_KEY');
  const file = join(options.dataDir, 'secret.key');
  try {
    return decodeKey(readFileSync(file, 'utf8').trim(), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}

function decodeKey(text: string, origin: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new DeftError('SECRET_KEY_INVALID', `${origin} must hold 32 bytes as 64 hex characters or base64`);
  }
  return key;
}
