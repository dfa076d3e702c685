import { existsSync } from 'node:fs';
import type { Settings } from '@deft/protocol';
import { type Check, openLocalStores, runDiagnostics } from '@deft/server';
import type { Command } from 'commander';
import { type ConfigFlags, configFrom, withConfigFlags } from '../config-flags.js';

const MARK: Record<Check['level'], string> = { ok: '✓', warn: '!', fail: '✗' };

export function registerDoctor(program: Command): void {
  withConfigFlags(
    program
      .command('doctor')
      .description('check this machine and the configuration, and say how to fix what is missing'),
  )
    .option('--json', 'the checks as JSON')
    .action(async (flags: ConfigFlags & { json?: boolean }) => {
      const config = configFrom(flags);
      let settings: Settings | null | undefined;
      // Read the saved LLM settings only from an existing data dir: the doctor creates nothing.
      if (existsSync(config.data_dir)) {
        try {
          const stores = await openLocalStores(config);
          settings = await stores.settings.load().finally(() => stores.close());
        } catch {
          settings = undefined;
        }
      }
      const checks = await runDiagnostics(config, { settings });
      if (flags.json) process.stdout.write(`${JSON.stringify(checks, null, 2)}\n`);
      else {
        const width = Math.max(...checks.map((check) => check.name.length));
        for (const check of checks) {
          process.stdout.write(`${MARK[check.level]} ${check.name.padEnd(width)}  ${check.detail}\n`);
          if (check.fix && check.level !== 'ok')
            process.stdout.write(`  ${' '.repeat(width)}  fix: ${check.fix}\n`);
        }
        const failed = checks.filter((check) => check.level === 'fail').length;
        const warned = checks.filter((check) => check.level === 'warn').length;
        process.stdout.write(
          failed
            ? `\n${failed} problem${failed > 1 ? 's' : ''} to fix before Deft can run tasks${warned ? `, ${warned} warning${warned > 1 ? 's' : ''}` : ''}\n`
            : `\nready${warned ? ` (${warned} warning${warned > 1 ? 's' : ''})` : ''}\n`,
        );
      }
      process.exit(checks.some((check) => check.level === 'fail') ? 1 : 0);
    });
}
