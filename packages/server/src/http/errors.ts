import { DeftError, toDeftError } from '@deft/protocol';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/**
 * One place that turns any throwable into a client response: a DeftError keeps its code and status; a
 * Fastify validation error becomes VALIDATION_FAILED (422, as FastAPI answers); anything else is INTERNAL with
 * no stack trace, logged with its cause.
 */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const deft = classify(error);
  if (deft.status >= 500) request.log.error({ err: error, code: deft.code }, 'request failed');
  else request.log.debug({ code: deft.code }, deft.message);
  void reply
    .status(deft.status)
    .send({ code: deft.code, message: deft.message, detail: deft.message, ...extra(deft) });
}

function classify(error: FastifyError | Error): DeftError {
  if (error instanceof DeftError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return new DeftError('VALIDATION_FAILED', fastifyError.message, {
      details: { errors: fastifyError.validation },
    });
  }
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new DeftError('PAYLOAD_TOO_LARGE');
  if (fastifyError.statusCode === 404) return new DeftError('NOT_FOUND', fastifyError.message);
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new DeftError('VALIDATION_FAILED', fastifyError.message);
  }
  return toDeftError(error);
}

function extra(error: DeftError): Record<string, unknown> {
  return error.details === undefined ? {} : { details: error.details };
}
