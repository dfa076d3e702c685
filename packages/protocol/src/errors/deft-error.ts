import { ERRORS, type ErrorCode } from './catalogue.js';

/** An error with a stable code from the catalogue; safe to show to a client (no stack, no secrets). */
export class DeftError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    options?: { details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(
      message ?? ERRORS[code].message,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'DeftError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = options?.details;
  }

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isDeftError(value: unknown): value is DeftError {
  return value instanceof DeftError;
}

/** Wraps any throwable as a DeftError, keeping the original as `cause`. */
export function toDeftError(value: unknown, fallback: ErrorCode = 'INTERNAL'): DeftError {
  if (value instanceof DeftError) return value;
  return new DeftError(fallback, undefined, { cause: value });
}
