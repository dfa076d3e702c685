import type { ConversationInfo, ConversationPage, DeftEvent, SecretInfo, Settings } from './types';

const KEY_STORAGE = 'deft.session_api_key';

/** The optional SESSION_API_KEY (reference §1.1), kept in this browser once the user enters it. */
export const sessionKey = {
  get: () => localStorage.getItem(KEY_STORAGE) ?? '',
  set: (value: string) => localStorage.setItem(KEY_STORAGE, value),
};

/** An HTTP failure with the server's own message, for showing as is. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function call<T>(
  path: string,
  init: { method?: string; body?: unknown; allow404?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const key = sessionKey.get();
  if (key) headers['x-session-api-key'] = key;
  const response = await fetch(path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (init.allow404 && response.status === 404) return null as T;
  const text = await response.text();
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  if (!response.ok) {
    const detail = body?.message ?? body?.error ?? body?.detail;
    throw new ApiError(
      response.status,
      typeof detail === 'string' ? detail : detail ? JSON.stringify(detail) : `HTTP ${response.status}`,
    );
  }
  return body as T;
}

const conversation = (id: string) => `/api/conversations/${id}`;

export const api = {
  /** The saved settings, or null before the first save (asked first, so the 404 never happens). */
  settings: async () =>
    (await call<{ settings_saved: boolean }>('/api/deft/settings-status')).settings_saved
      ? call<Settings | null>('/api/settings', { allow404: true })
      : null,
  saveSettings: (update: Record<string, unknown>) => call('/api/settings', { body: update }),
  models: () => call<string[]>('/api/options/models'),
  secrets: async () => (await call<{ custom_secrets: SecretInfo[] }>('/api/secrets')).custom_secrets,
  addSecret: (name: string, value: string, description: string) =>
    call('/api/secrets', { body: { name, value, description } }),
  deleteSecret: (name: string) => call(`/api/secrets/${encodeURIComponent(name)}`, { method: 'DELETE' }),

  conversations: (limit = 100) => call<ConversationPage>(`/api/conversations?limit=${limit}`),
  conversation: (id: string) => call<ConversationInfo | null>(conversation(id)),
  createConversation: (body: { initial_user_msg: string; workspace_path?: string; git_url?: string }) =>
    call<{ conversation_id: string }>('/api/conversations', { body }),
  rename: (id: string, title: string) => call(conversation(id), { method: 'PATCH', body: { title } }),
  remove: (id: string) => call(conversation(id), { method: 'DELETE' }),
  start: (id: string) => call(`${conversation(id)}/start`, { body: {} }),
  stop: (id: string) => call(`${conversation(id)}/stop`, { body: {} }),
  sendEvent: (id: string, event: Record<string, unknown>) =>
    call(`${conversation(id)}/events`, { body: event }),
  events: (id: string, startId: number) =>
    call<{ events: DeftEvent[]; has_more: boolean }>(
      `${conversation(id)}/events?start_id=${startId}&limit=100`,
    ),
  listFiles: (id: string, path = '') =>
    call<string[]>(`${conversation(id)}/list-files${path ? `?path=${encodeURIComponent(path)}` : ''}`),
  selectFile: (id: string, file: string) =>
    call<{ code: string }>(`${conversation(id)}/select-file?file=${encodeURIComponent(file)}`),
  zipUrl: (id: string) => `${conversation(id)}/zip-directory`,
};
