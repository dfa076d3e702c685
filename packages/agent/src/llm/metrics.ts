import type { LlmMetrics } from '@deft/protocol';
import type { LlmResponse } from './client.js';

/**
 * Accumulates cost and token usage across LLM calls and renders the §3.1 `llm_metrics` dict. Deft adds
 * `cost_known: false` when any call was to a model missing from the price table (its cost counted as 0).
 */
export class MetricsAccumulator {
  #cost = 0;
  #costKnown = true;
  #prompt = 0;
  #completion = 0;
  #cacheRead = 0;
  #cacheWrite = 0;
  #contextWindow = 0;
  #lastTurnTokens = 0;
  #lastResponseId = '';
  #model = '';
  readonly #costs: { model: string; cost: number; timestamp: number }[] = [];
  readonly #latencies: { model: string; latency: number; response_id: string }[] = [];
  readonly #usages: Record<string, unknown>[] = [];
  readonly #maxBudget: number | null;
  /** Only the most recent entries are kept in the per-call lists, so an action's metrics stay small. */
  readonly #historyLimit: number;

  constructor(options: { maxBudgetPerTask?: number | null; historyLimit?: number } = {}) {
    this.#maxBudget = options.maxBudgetPerTask ?? null;
    this.#historyLimit = options.historyLimit ?? 20;
  }

  get accumulatedCost(): number {
    return this.#cost;
  }

  record(response: LlmResponse): void {
    this.#cost += response.cost;
    this.#costKnown &&= response.costKnown;
    this.#prompt += response.usage.promptTokens;
    this.#completion += response.usage.completionTokens;
    this.#cacheRead += response.usage.cacheReadTokens;
    this.#cacheWrite += response.usage.cacheWriteTokens;
    this.#contextWindow = response.contextWindow;
    this.#lastTurnTokens = response.usage.promptTokens + response.usage.completionTokens;
    this.#lastResponseId = response.id;
    this.#model = response.model;
    push(
      this.#costs,
      { model: response.model, cost: response.cost, timestamp: Date.now() / 1000 },
      this.#historyLimit,
    );
    push(
      this.#latencies,
      { model: response.model, latency: response.latencyMs / 1000, response_id: response.id },
      this.#historyLimit,
    );
    push(
      this.#usages,
      {
        model: response.model,
        prompt_tokens: response.usage.promptTokens,
        completion_tokens: response.usage.completionTokens,
        cache_read_tokens: response.usage.cacheReadTokens,
        cache_write_tokens: response.usage.cacheWriteTokens,
        context_window: response.contextWindow,
        per_turn_token: this.#lastTurnTokens,
        response_id: response.id,
      },
      this.#historyLimit,
    );
  }

  toLlmMetrics(): LlmMetrics & { cost_known: boolean } {
    return {
      accumulated_cost: this.#cost,
      max_budget_per_task: this.#maxBudget,
      accumulated_token_usage: {
        model: this.#model,
        prompt_tokens: this.#prompt,
        completion_tokens: this.#completion,
        cache_read_tokens: this.#cacheRead,
        cache_write_tokens: this.#cacheWrite,
        context_window: this.#contextWindow,
        per_turn_token: this.#lastTurnTokens,
        response_id: this.#lastResponseId,
      },
      costs: [...this.#costs],
      response_latencies: [...this.#latencies],
      token_usages: [...this.#usages],
      cost_known: this.#costKnown,
    };
  }
}

function push<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.shift();
}
