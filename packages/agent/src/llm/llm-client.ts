import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3Message,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import type {
  LlmCallOptions,
  LlmClient,
  LlmMessage,
  LlmRequest,
  LlmResponse,
  LlmToolCall,
  LlmUsage,
} from './client.js';
import { classifyLlmError } from './errors.js';
import { resolveModel } from './model-string.js';
import { costOf, type ModelPrice, priceOf } from './pricing.js';

export interface LlmSettings {
  /** `provider/model`, e.g. `anthropic/claude-sonnet-4-5`, `openai/gpt-4o`, `ollama/qwen3-coder` */
  model: string;
  apiKey?: string;
  baseUrl?: string;
  timeoutMs?: number;
  temperature?: number;
  maxOutputTokens?: number;
  priceOverrides?: Record<string, Partial<ModelPrice>>;
}

/** An LlmClient over the Vercel AI SDK's provider models (Chat Completions for every OpenAI-style server). */
export function createLlmClient(settings: LlmSettings): LlmClient {
  const resolved = resolveModel(settings.model, settings.baseUrl || undefined);
  const apiKey = settings.apiKey || 'not-needed';
  let model: LanguageModelV3;
  if (resolved.provider === 'anthropic') {
    model = createAnthropic({ apiKey, ...(resolved.baseUrl ? { baseURL: resolved.baseUrl } : {}) })(
      resolved.modelId,
    );
  } else if (resolved.provider === 'openai') {
    model = createOpenAI({ apiKey }).chat(resolved.modelId);
  } else {
    model = createOpenAICompatible({
      name: 'deft',
      baseURL: resolved.baseUrl!.replace(/\/+$/, ''),
      apiKey,
      includeUsage: true,
    }).chatModel(resolved.modelId);
  }
  const price = priceOf(resolved.priceKey, settings.priceOverrides);
  return new SdkLlmClient(settings, model, price);
}

class SdkLlmClient implements LlmClient {
  readonly model: string;
  readonly #settings: LlmSettings;
  readonly #sdk: LanguageModelV3;
  readonly #price: ModelPrice | null;

  constructor(settings: LlmSettings, sdk: LanguageModelV3, price: ModelPrice | null) {
    this.model = settings.model;
    this.#settings = settings;
    this.#sdk = sdk;
    this.#price = price;
  }

  async complete(request: LlmRequest, options: LlmCallOptions = {}): Promise<LlmResponse> {
    const started = performance.now();
    const timeout = new AbortController();
    const timer = this.#settings.timeoutMs
      ? setTimeout(() => timeout.abort(), this.#settings.timeoutMs)
      : undefined;
    const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
    const call: LanguageModelV3CallOptions = {
      prompt: request.messages.map(toSdkMessage),
      tools: request.tools?.map((tool) => ({
        type: 'function' as const,
        name: tool.name,
        description: tool.description,
        inputSchema: tool.parameters as never,
      })),
      temperature: request.temperature ?? this.#settings.temperature ?? 0,
      maxOutputTokens: request.maxOutputTokens ?? this.#settings.maxOutputTokens ?? 8192,
      abortSignal: signal,
      headers: request.purpose ? { 'x-deft-purpose': request.purpose } : undefined,
    };
    try {
      const result = options.onTextDelta
        ? await this.#stream(call, options.onTextDelta)
        : await this.#generate(call);
      const usage = toUsage(result.usage);
      const cost = costOf(this.#price, usage);
      return {
        id: result.id,
        model: this.model,
        text: result.text,
        toolCalls: result.toolCalls,
        finishReason: result.finishReason,
        usage,
        cost,
        costKnown: this.#price !== null,
        latencyMs: performance.now() - started,
        contextWindow: this.#price?.contextWindow ?? 0,
        raw: rawResponse(result.id, this.model, result.text, result.toolCalls, result.finishReason, usage),
      };
    } catch (error) {
      throw classifyLlmError(error, {
        aborted: options.signal?.aborted ?? false,
        timedOut: timeout.signal.aborted && !options.signal?.aborted,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  async #generate(call: LanguageModelV3CallOptions): Promise<Collected> {
    const result = await this.#sdk.doGenerate(call);
    return {
      id: result.response?.id ?? '',
      text: textOf(result.content),
      toolCalls: toolCallsOf(result.content),
      finishReason: finishOf(result.finishReason),
      usage: result.usage,
    };
  }

  async #stream(call: LanguageModelV3CallOptions, onTextDelta: (text: string) => void): Promise<Collected> {
    const { stream } = await this.#sdk.doStream(call);
    const collected: Collected = { id: '', text: '', toolCalls: [], finishReason: 'stop', usage: undefined };
    const reader = stream.getReader();
    for (;;) {
      const { done, value: part } = await reader.read();
      if (done) break;
      if (part.type === 'text-delta') {
        collected.text += part.delta;
        onTextDelta(part.delta);
      } else if (part.type === 'tool-call') {
        collected.toolCalls.push({ id: part.toolCallId, name: part.toolName, arguments: part.input });
      } else if (part.type === 'response-metadata') {
        collected.id = part.id ?? collected.id;
      } else if (part.type === 'finish') {
        collected.finishReason = finishOf(part.finishReason);
        collected.usage = part.usage;
      } else if (part.type === 'error') {
        throw part.error;
      }
    }
    return collected;
  }
}

interface Collected {
  id: string;
  text: string;
  toolCalls: LlmToolCall[];
  finishReason: string;
  usage: LanguageModelV3Usage | undefined;
}

function toSdkMessage(message: LlmMessage): LanguageModelV3Message {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return { role: 'user', content: [{ type: 'text', text: message.content }] };
    case 'assistant':
      return {
        role: 'assistant',
        content: [
          ...(message.content ? [{ type: 'text' as const, text: message.content }] : []),
          ...(message.toolCalls ?? []).map((call) => ({
            type: 'tool-call' as const,
            toolCallId: call.id,
            toolName: call.name,
            input: parseArguments(call.arguments),
          })),
        ],
      };
    case 'tool':
      return {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: message.toolCallId,
            toolName: message.toolName,
            output: { type: 'text', value: message.content },
          },
        ],
      };
  }
}

/** The provider re-serializes tool inputs it sends back; a malformed one is sent as an empty object. */
function parseArguments(text: string): unknown {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

function textOf(content: LanguageModelV3Content[]): string {
  return content
    .filter((part) => part.type === 'text')
    .map((part) => (part as { text: string }).text)
    .join('');
}

function toolCallsOf(content: LanguageModelV3Content[]): LlmToolCall[] {
  return content
    .filter((part) => part.type === 'tool-call')
    .map((part) => {
      const call = part as { toolCallId: string; toolName: string; input: string };
      return { id: call.toolCallId, name: call.toolName, arguments: call.input };
    });
}

function finishOf(reason: unknown): string {
  if (typeof reason === 'string') return reason;
  const unified = (reason as { unified?: string } | undefined)?.unified;
  return unified ?? 'unknown';
}

function toUsage(usage: LanguageModelV3Usage | undefined): LlmUsage {
  return {
    promptTokens: usage?.inputTokens?.total ?? 0,
    completionTokens: usage?.outputTokens?.total ?? 0,
    cacheReadTokens: usage?.inputTokens?.cacheRead ?? 0,
    cacheWriteTokens: usage?.inputTokens?.cacheWrite ?? 0,
  };
}

/** reference §3.1: tool_call_metadata.model_response is an OpenAI-shaped ModelResponse dict. */
function rawResponse(
  id: string,
  model: string,
  text: string,
  toolCalls: LlmToolCall[],
  finishReason: string,
  usage: LlmUsage,
): Record<string, unknown> {
  return {
    id,
    created: Math.floor(Date.now() / 1000),
    model,
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        finish_reason: finishReason === 'tool-calls' ? 'tool_calls' : finishReason,
        message: {
          role: 'assistant',
          content: text || null,
          tool_calls: toolCalls.length
            ? toolCalls.map((call, index) => ({
                index,
                id: call.id,
                type: 'function',
                function: { name: call.name, arguments: call.arguments },
              }))
            : null,
        },
      },
    ],
    usage: {
      prompt_tokens: usage.promptTokens,
      completion_tokens: usage.completionTokens,
      total_tokens: usage.promptTokens + usage.completionTokens,
    },
  };
}
