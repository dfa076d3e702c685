import { Command } from 'commander';
import { registerConversations } from './commands/conversations.js';
import { registerDoctor } from './commands/doctor.js';
import { registerRun } from './commands/run.js';
import { registerServe } from './commands/serve.js';

export function createProgram(): Command {
  const program = new Command('deft')
    .description('Deft: a self-hosted platform for AI coding agents')
    .version('0.1.0')
    // Usage errors are one line, like every other error; --help has the rest.
    .configureOutput({ outputError: (text, write) => write(`deft: ${text.replace(/^error: /, '')}`) });
  registerServe(program);
  registerRun(program);
  registerConversations(program);
  registerDoctor(program);
  return program;
}
