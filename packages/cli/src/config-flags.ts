import { type DeftConfig, loadConfig } from '@deft/server';
import type { Command } from 'commander';

export interface ConfigFlags {
  dataDir?: string;
  config?: string;
}

/** `--data-dir` and `--config`, the same on every command that reads Deft's data. */
export function withConfigFlags(command: Command): Command {
  return command
    .option('-d, --data-dir <dir>', 'data directory (default ~/.deft, or $DEFT_HOME)')
    .option('-c, --config <file>', 'config file (default $DEFT_HOME/config.toml)');
}

export function configFrom(flags: ConfigFlags, overrides: Record<string, unknown> = {}): DeftConfig {
  const env = { ...process.env };
  if (flags.dataDir) env.DEFT_HOME = flags.dataDir;
  return loadConfig({ env, configFile: flags.config, overrides });
}
