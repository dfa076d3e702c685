import { APICallError } from '@ai-sdk/provider';
import { DeftError } from '@deft/protocol';

/**
 * Maps whatever a provider threw to a coded DeftError the controller can act on; `retryable` (details)
 * tells whether waiting and calling again may help (429, 5xx, timeouts, unreachable).
 */
export function classifyLlmError(
  error: unknown,
  context: { aborted: boolean; timedOut: boolean },
): DeftError {
  if (error instanceof DeftError) return error;
  if (context.timedOut) return coded('LLM_TIMEOUT', 'The LLM request timed out', true, error);
  if (context.aborted) return coded('LLM_ABORTED', 'The LLM request was aborted', false, error);
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    const body = `${error.responseBody ?? ''} ${error.message}`;
    if (status !== undefined && status < 400) {
      return coded(
        'LLM_BAD_RESPONSE',
        `The LLM returned a response that could not be used: ${error.message}`,
        true,
        error,
      );
    }
    if (status === 401 || status === 403) return coded('LLM_AUTHENTICATION', undefined, false, error);
    if (status === 429) {
      const retryAfter = Number(error.responseHeaders?.['retry-after']);
      return coded(
        'LLM_RATE_LIMITED',
        undefined,
        true,
        error,
        Number.isFinite(retryAfter) ? { retry_after_ms: retryAfter * 1000 } : {},
      );
    }
    if (
      status === 400 &&
      /context[_ ]length|maximum context|too many tokens|prompt is too long|context window/i.test(body)
    ) {
      return coded('LLM_CONTEXT_WINDOW_EXCEEDED', undefined, false, error);
    }
    if (status === 503 || status === undefined)
      return coded(
        'LLM_SERVICE_UNAVAILABLE',
        `The LLM provider is unavailable: ${error.message}`,
        true,
        error,
      );
    if (status >= 500)
      return coded(
        'LLM_INTERNAL_SERVER_ERROR',
        `The LLM provider returned ${status}: ${error.message}`,
        true,
        error,
      );
    return coded(
      'LLM_BAD_RESPONSE',
      `The LLM provider refused the request (${status}): ${error.message}`,
      false,
      error,
    );
  }
  const name = (error as Error)?.name ?? '';
  const message = (error as Error)?.message ?? String(error);
  if (
    /ECONNREFUSED|ENOTFOUND|ECONNRESET|fetch failed|socket hang up/i.test(
      `${message} ${String((error as { cause?: unknown })?.cause ?? '')}`,
    )
  ) {
    return coded('LLM_SERVICE_UNAVAILABLE', `The LLM provider is unreachable: ${message}`, true, error);
  }
  if (name === 'AbortError') return coded('LLM_ABORTED', 'The LLM request was aborted', false, error);
  return coded(
    'LLM_BAD_RESPONSE',
    `The LLM returned a response that could not be used: ${message}`,
    true,
    error,
  );
}

function coded(
  code: DeftError['code'],
  message: string | undefined,
  retryable: boolean,
  cause: unknown,
  details: Record<string, unknown> = {},
): DeftError {
  return new DeftError(code, message, { details: { retryable, ...details }, cause });
}

export function isRetryable(error: DeftError): boolean {
  return error.details?.retryable === true;
}
