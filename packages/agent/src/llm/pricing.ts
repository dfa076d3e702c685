/** USD per million tokens, and the context window, of common models. Overridable per model in settings. */
export interface ModelPrice {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  contextWindow: number;
}

const PRICES: Record<string, ModelPrice> = {
  'claude-sonnet-4-5': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, contextWindow: 200_000 },
  'claude-sonnet-4': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, contextWindow: 200_000 },
  'claude-opus-4-1': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75, contextWindow: 200_000 },
  'claude-opus-4': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75, contextWindow: 200_000 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1, contextWindow: 200_000 },
  'claude-haiku-4-5': { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25, contextWindow: 200_000 },
  'gpt-4o': { input: 2.5, output: 10, cacheRead: 1.25, contextWindow: 128_000 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cacheRead: 0.075, contextWindow: 128_000 },
  'gpt-4.1': { input: 2, output: 8, cacheRead: 0.5, contextWindow: 1_047_576 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cacheRead: 0.1, contextWindow: 1_047_576 },
  o3: { input: 2, output: 8, cacheRead: 0.5, contextWindow: 200_000 },
  'o4-mini': { input: 1.1, output: 4.4, cacheRead: 0.275, contextWindow: 200_000 },
  'gpt-5': { input: 1.25, output: 10, cacheRead: 0.125, contextWindow: 400_000 },
  'gpt-5-mini': { input: 0.25, output: 2, cacheRead: 0.025, contextWindow: 400_000 },
  'deepseek-chat': { input: 0.27, output: 1.1, cacheRead: 0.07, contextWindow: 128_000 },
  'qwen3-coder': { input: 0.4, output: 1.6, contextWindow: 262_144 },
};

/** Names for the model list offered to clients (GET /api/options/models). */
export function listKnownModels(): string[] {
  const providers: Record<string, string> = {
    claude: 'anthropic',
    gpt: 'openai',
    o3: 'openai',
    o4: 'openai',
    deepseek: 'openrouter/deepseek',
    qwen3: 'openrouter/qwen',
  };
  return Object.keys(PRICES)
    .map((model) => {
      const prefix = Object.entries(providers).find(([start]) => model.startsWith(start))?.[1] ?? 'openai';
      return `${prefix}/${model}`;
    })
    .sort();
}

/**
 * The price of a model id, matched with and without its provider prefix and any date suffix
 * (`anthropic/claude-sonnet-4-20250514` → `claude-sonnet-4`). Unknown models have no price.
 */
export function priceOf(
  model: string,
  overrides: Record<string, Partial<ModelPrice>> = {},
): ModelPrice | null {
  const candidates = [model, model.split('/').pop()!];
  for (const candidate of candidates) {
    if (overrides[candidate])
      return { input: 0, output: 0, contextWindow: 128_000, ...lookup(candidate), ...overrides[candidate] };
  }
  for (const candidate of candidates) {
    const found = lookup(candidate);
    if (found) return found;
  }
  return null;
}

function lookup(id: string): ModelPrice | null {
  if (PRICES[id]) return PRICES[id]!;
  const withoutDate = id.replace(/-\d{8}$/, '').replace(/-latest$/, '');
  if (PRICES[withoutDate]) return PRICES[withoutDate]!;
  // longest known prefix: "gpt-4o-mini-2024-07-18" → "gpt-4o-mini"
  const match = Object.keys(PRICES)
    .filter((known) => withoutDate.startsWith(known))
    .sort((a, b) => b.length - a.length)[0];
  return match ? PRICES[match]! : null;
}

export function costOf(
  price: ModelPrice | null,
  usage: {
    promptTokens: number;
    completionTokens: number;
    cacheReadTokens: number;
    cacheWriteTokens: number;
  },
): number {
  if (!price) return 0;
  const uncached = Math.max(0, usage.promptTokens - usage.cacheReadTokens - usage.cacheWriteTokens);
  return (
    (uncached * price.input +
      usage.cacheReadTokens * (price.cacheRead ?? price.input) +
      usage.cacheWriteTokens * (price.cacheWrite ?? price.input) +
      usage.completionTokens * price.output) /
    1_000_000
  );
}
