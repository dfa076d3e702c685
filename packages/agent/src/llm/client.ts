/**
 * The agent's view of a language model: one chat call with tools, optionally streamed.
 * Implemented over the Vercel AI SDK (see ./providers); tests point it at the scripted server in testkit/.
 */
export interface LlmClient {
  readonly model: string;
  complete(request: LlmRequest, options?: LlmCallOptions): Promise<LlmResponse>;
}

export interface LlmCallOptions {
  signal?: AbortSignal;
  /** Live assistant text as it arrives (a side channel for UIs; never stored as events). */
  onTextDelta?: (delta: string) => void;
}

export type LlmMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: LlmToolCall[] }
  | { role: 'tool'; toolCallId: string; toolName: string; content: string };

export interface LlmToolDefinition {
  name: string;
  description: string;
  /** JSON Schema of the parameters (the OpenAI tool `parameters` object). */
  parameters: Record<string, unknown>;
}

export interface LlmRequest {
  messages: LlmMessage[];
  tools?: LlmToolDefinition[];
  temperature?: number;
  maxOutputTokens?: number;
  /** What an auxiliary call is for (e.g. `title`); sent as the `x-deft-purpose` header, absent on agent steps. */
  purpose?: string;
}

export interface LlmToolCall {
  id: string;
  name: string;
  /** Raw JSON text of the arguments as the model produced it (may be malformed). */
  arguments: string;
}

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export interface LlmResponse {
  id: string;
  model: string;
  text: string;
  toolCalls: LlmToolCall[];
  finishReason: string;
  usage: LlmUsage;
  /** USD for this call from the price table; 0 when the model is unknown (`costKnown` false). */
  cost: number;
  costKnown: boolean;
  latencyMs: number;
  contextWindow: number;
  /** The OpenAI-shaped response dict used for tool_call_metadata.model_response (reference §3.1). */
  raw: Record<string, unknown>;
}
