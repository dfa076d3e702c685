import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSecretKey, SecretCipher } from './cipher.js';

describe('secrets at rest: AES-256-GCM', () => {
  const dirs: string[] = [];
  const temp = () => {
    const dir = mkdtempSync(join(tmpdir(), 'deft-secret-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips a value and never stores it in clear; each encryption uses a fresh IV', () => {
    const cipher = new SecretCipher(loadSecretKey({ dataDir: temp(), env: {} }));
    const stored = cipher.encrypt('sk-live-123456');
    expect(stored).not.toContain('sk-live');
    expect(cipher.encrypt('sk-live-123456')).not.toBe(stored);
    expect(cipher.decrypt(stored)).toBe('sk-live-123456');
  });

  it('refuses tampered ciphertext and a different key', () => {
    const dir = temp();
    const cipher = new SecretCipher(loadSecretKey({ dataDir: dir, env: {} }));
    const stored = cipher.encrypt('value');
    const parts = stored.split('.');
    parts[3] = Buffer.from('other').toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'))).toThrow(/could not be decrypted/);
    const other = new SecretCipher(loadSecretKey({ dataDir: temp(), env: {} }));
    expect(() => other.decrypt(stored)).toThrow(/could not be decrypted/);
  });

  it('generates the key once into the data dir with mode 0600 and reuses it', () => {
    const dir = temp();
    const first = loadSecretKey({ dataDir: dir, env: {} });
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(loadSecretKey({ dataDir: dir, env: {} }).equals(first)).toBe(true);
    expect(readFileSync(join(dir, 'secret.key'), 'utf8').trim()).toBe(first.toString('hex'));
  });

  it('takes DEFT_SECRET_KEY over the file and rejects a key of the wrong size', () => {
    const hex = 'ab'.repeat(32);
    expect(loadSecretKey({ dataDir: temp(), env: { DEFT_SECRET_KEY: hex } }).toString('hex')).toBe(hex);
    expect(() => loadSecretKey({ dataDir: temp(), env: { DEFT_SECRET_KEY: 'short' } })).toThrow(/32 bytes/);
  });
});
