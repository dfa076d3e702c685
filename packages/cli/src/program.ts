import { Command } from 'commander';
import { registerServe } from './commands/serve.js';

export function createProgram(): Command {
  const program = new Command('deft')
    .description('Deft: a self-hosted platform for AI coding agents')
    .version('0.1.0')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });
  registerServe(program);
  return program;
}
