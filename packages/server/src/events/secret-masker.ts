/** Replaces the values of registered secrets with `<secret_hidden>` in every string of an event. */
export const SECRET_PLACEHOLDER = '<secret_hidden>';

/** Top-level keys that carry structure, not content: never rewritten. */
const STRUCTURAL_KEYS = new Set(['id', 'timestamp', 'source', 'action', 'observation', 'cause']);

/**
 * Values shorter than this are not masked: replacing every `k` or `42` in every event would destroy the
 * conversation without hiding anything a real credential needs hidden.
 */
export const MIN_MASKED_LENGTH = 4;

export class SecretMasker {
  readonly #byConversation = new Map<string, Set<string>>();
  readonly #global = new Set<string>();

  /** `'*'` registers values for every conversation. Values shorter than MIN_MASKED_LENGTH are ignored. */
  register(conversationId: string, values: Iterable<string>): void {
    const target = conversationId === '*' ? this.#global : this.#setFor(conversationId);
    for (const value of values) if (value && value.length >= MIN_MASKED_LENGTH) target.add(value);
  }

  forget(conversationId: string): void {
    this.#byConversation.delete(conversationId);
  }

  /** Returns the event unchanged (same object) when there is nothing to mask. */
  mask<T extends Record<string, unknown>>(conversationId: string, event: T): T {
    const secrets = this.#secretsFor(conversationId);
    if (secrets.length === 0) return event;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(event)) {
      out[key] = STRUCTURAL_KEYS.has(key) ? value : maskValue(value, secrets);
    }
    return out as T;
  }

  #setFor(conversationId: string): Set<string> {
    let set = this.#byConversation.get(conversationId);
    if (!set) {
      set = new Set();
      this.#byConversation.set(conversationId, set);
    }
    return set;
  }

  #secretsFor(conversationId: string): string[] {
    const own = this.#byConversation.get(conversationId);
    if (this.#global.size === 0 && !own) return [];
    // Longest first, so a secret that contains another is masked whole.
    return [...this.#global, ...(own ?? [])].sort((a, b) => b.length - a.length);
  }
}

function maskValue(value: unknown, secrets: string[]): unknown {
  if (typeof value === 'string') {
    let text = value;
    for (const secret of secrets)
      if (text.includes(secret)) text = text.split(secret).join(SECRET_PLACEHOLDER);
    return text;
  }
  if (Array.isArray(value)) return value.map((item) => maskValue(item, secrets));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(v, secrets)]));
  }
  return value;
}
