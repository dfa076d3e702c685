#!/usr/bin/env node
import { isDeftError } from '@deft/protocol';
import { CliError } from './errors.js';
import { createProgram } from './program.js';

// Errors are one clear line on stderr, never a stack trace.
createProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    const message = isDeftError(error) ? `${error.message} [${error.code}]` : (error as Error).message;
    process.stderr.write(`deft: ${message}\n`);
    process.exit(error instanceof CliError ? error.exitCode : 1);
  });
