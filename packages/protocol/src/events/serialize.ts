import type { DeftEvent } from './types.js';

/**
 * reference §3.1: the wire dict of an event. Top-level keys in a fixed order, null/undefined omitted, id
 * omitted when -1; args/extras are emitted as they are (they already hold their defaults).
 */
export function serializeEvent(event: DeftEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) out[key] = value;
  };
  if (event.id !== undefined && event.id !== -1) out.id = event.id;
  put('timestamp', event.timestamp);
  put('source', event.source);
  out.message = event.message;
  put('cause', event.cause);
  if ('action' in event) {
    out.action = event.action;
    out.args = event.args;
  } else {
    out.observation = event.observation;
    out.content = event.content;
    out.extras = event.extras;
    put('success', event.success);
  }
  put('timeout', event.timeout);
  put('tool_call_metadata', event.tool_call_metadata);
  put('llm_metrics', event.llm_metrics);
  put('hidden', event.hidden);
  put('security_risk', event.security_risk);
  return out;
}
