import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeftError } from '@deft/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';

describe('config: defaults ← config.toml ← DEFT_* ← overrides', () => {
  const dirs: string[] = [];
  const home = () => {
    const dir = mkdtempSync(join(tmpdir(), 'deft-config-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('uses the documented defaults: 127.0.0.1:3000, data dir from DEFT_HOME', () => {
    const dir = home();
    const config = loadConfig({ env: { DEFT_HOME: dir } });
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(3000);
    expect(config.data_dir).toBe(dir);
    expect(config.sandbox.provider).toBe('process');
    expect(config.sandbox.network).toBe('none');
    expect(config.agent.max_iterations).toBe(500);
  });

  it('reads $DEFT_HOME/config.toml, and the environment wins over the file', () => {
    const dir = home();
    writeFileSync(join(dir, 'config.toml'), 'port = 4000\n[sandbox]\nnetwork = "egress"\nmemory_mb = 512\n');
    const config = loadConfig({ env: { DEFT_HOME: dir, DEFT_SANDBOX__MEMORY_MB: '1024', PORT: '4100' } });
    expect(config.port).toBe(4100);
    expect(config.sandbox.network).toBe('egress');
    expect(config.sandbox.memory_mb).toBe(1024);
  });

  it('honours PORT, HOST and an explicit --config file; overrides win over everything', () => {
    const dir = home();
    const file = join(dir, 'other.toml');
    writeFileSync(file, 'host = "0.0.0.0"\ninsecure = true\n');
    const config = loadConfig({
      env: { DEFT_HOME: dir, HOST: '127.0.0.2' },
      configFile: file,
      overrides: { port: 0 },
    });
    expect(config.host).toBe('127.0.0.2');
    expect(config.insecure).toBe(true);
    expect(config.port).toBe(0);
  });

  it('parses boolean strings from the environment correctly ("false" is false)', () => {
    const dir = home();
    expect(loadConfig({ env: { DEFT_HOME: dir, DEFT_INSECURE: 'false' } }).insecure).toBe(false);
    expect(loadConfig({ env: { DEFT_HOME: dir, DEFT_INSECURE: 'yes' } }).insecure).toBe(true);
  });

  it('stops with CONFIG_INVALID naming the key and where it came from', () => {
    const dir = home();
    const attempt = () => loadConfig({ env: { DEFT_HOME: dir, DEFT_SANDBOX__NETWORK: 'everywhere' } });
    expect(attempt).toThrow(DeftError);
    try {
      attempt();
    } catch (error) {
      expect((error as DeftError).code).toBe('CONFIG_INVALID');
      expect((error as Error).message).toContain('sandbox.network');
      expect((error as Error).message).toContain('DEFT_SANDBOX__NETWORK');
    }
  });

  it('rejects an invalid port from config.toml and an unknown key, naming them', () => {
    const dir = home();
    writeFileSync(join(dir, 'config.toml'), 'port = 70000\n');
    expect(() => loadConfig({ env: { DEFT_HOME: dir } })).toThrow(/port.*config\.toml/);
    writeFileSync(join(dir, 'config.toml'), 'prot = 3000\n');
    expect(() => loadConfig({ env: { DEFT_HOME: dir } })).toThrow(/prot/);
  });

  it('reports malformed TOML and a missing explicit --config as coded errors', () => {
    const dir = home();
    writeFileSync(join(dir, 'config.toml'), 'port = = 3\n');
    expect(() => loadConfig({ env: { DEFT_HOME: dir } })).toThrow(/not valid TOML/);
    try {
      loadConfig({ env: { DEFT_HOME: dir }, configFile: join(dir, 'missing.toml') });
      expect.unreachable();
    } catch (error) {
      expect((error as DeftError).code).toBe('CONFIG_FILE_UNREADABLE');
    }
  });
});
