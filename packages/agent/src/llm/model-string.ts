import { DeftError } from '@deft/protocol';

export type ProviderKind = 'openai' | 'anthropic' | 'openai-compatible';

export interface ResolvedModel {
  provider: ProviderKind;
  /** the id sent to the API */
  modelId: string;
  baseUrl?: string;
  /** the name used by the price table */
  priceKey: string;
}

const OPENAI_COMPATIBLE_DEFAULTS: Record<string, string> = {
  openrouter: 'https://openrouter.ai/api/v1',
  ollama: 'http://localhost:11434/v1',
};

/**
 * `provider/model` → how to call it. openai/… and anthropic/… use their SDKs (OpenAI through Chat
 * Completions); openrouter/… and ollama/… are OpenAI-compatible with known base URLs; any prefix plus a base
 * URL is called as OpenAI-compatible at `{base_url}/chat/completions`.
 */
export function resolveModel(model: string, baseUrl?: string): ResolvedModel {
  const trimmed = model.trim();
  const slash = trimmed.indexOf('/');
  const prefix = slash > 0 ? trimmed.slice(0, slash) : '';
  const rest = slash > 0 ? trimmed.slice(slash + 1) : trimmed;
  if (!rest) throw new DeftError('LLM_MODEL_INVALID', `Invalid model "${model}": expected provider/model`);
  if (baseUrl)
    return {
      provider: prefix === 'anthropic' ? 'anthropic' : 'openai-compatible',
      modelId: rest,
      baseUrl,
      priceKey: trimmed,
    };
  if (prefix === 'openai' || (!prefix && /^(gpt-|o\d)/.test(rest)))
    return { provider: 'openai', modelId: rest, priceKey: trimmed };
  if (prefix === 'anthropic' || (!prefix && rest.startsWith('claude')))
    return { provider: 'anthropic', modelId: rest, priceKey: trimmed };
  if (OPENAI_COMPATIBLE_DEFAULTS[prefix])
    return {
      provider: 'openai-compatible',
      modelId: rest,
      baseUrl: OPENAI_COMPATIBLE_DEFAULTS[prefix],
      priceKey: trimmed,
    };
  throw new DeftError(
    'LLM_MODEL_INVALID',
    `Unknown model provider in "${model}": use openai/, anthropic/, openrouter/, ollama/, or set a base URL for an OpenAI-compatible server`,
  );
}
