import { io as connect, type Socket } from 'socket.io-client';

// A relative path, not @deft/testkit: the server benchmark imports this file outside vitest's aliases.
export { SANDBOX_SKIP_REASON } from '../../../../testkit/prerequisites.js';

// biome-ignore lint/suspicious/noExplicitAny: received JSON is checked field by field in the tests
export type Received = Record<string, any>;

export async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** JSON over HTTP against a server's base URL. */
export function apiClient(baseUrl: () => string, headers: Record<string, string> = {}) {
  const call = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const response = await fetch(`${baseUrl()}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { 'content-type': 'application/json', ...headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Received };
  };
  return {
    call,
    get: (path: string) => call(path),
    post: (path: string, body: unknown = {}) => call(path, { body }),
    /** Settings pointing at a scripted OpenAI-compatible LLM. */
    saveSettings: (llmBaseUrl: string, extra: Record<string, unknown> = {}) =>
      call('/api/settings', {
        body: {
          llm_model: 'openai-compatible/scripted',
          llm_api_key: 'k',
          llm_base_url: llmBaseUrl,
          ...extra,
        },
      }),
    /** The stored events of a conversation (all pages). */
    events: async (id: string): Promise<Received[]> => {
      const all: Received[] = [];
      for (let start = 0; ; ) {
        const page = await call(`/api/conversations/${id}/events?start_id=${start}&limit=100`);
        all.push(...(page.body.events as Received[]));
        if (!page.body.has_more) return all;
        start = all[all.length - 1]!.id + 1;
      }
    },
  };
}

export function agentStates(events: Received[]): string[] {
  return events
    .filter((event) => event.observation === 'agent_state_changed')
    .map((event) => String(event.extras.agent_state));
}

/** A socket.io-client connection with the §2.1 query, collecting every `oh_event`. */
export function openSocket(url: string, query: Record<string, string>) {
  const socket: Socket = connect(url, {
    path: '/socket.io',
    transports: ['websocket'],
    query,
    reconnection: false,
    forceNew: true,
  });
  const received: Received[] = [];
  socket.on('oh_event', (payload: Received) => received.push(payload));
  const error = new Promise<{ message: string; data?: Received }>((resolve) =>
    socket.once('connect_error', (e: Error & { data?: Received }) =>
      resolve({ message: e.message, data: e.data }),
    ),
  );
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, received, error, connected };
}
