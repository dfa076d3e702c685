import { sessionKey } from './client';
import type { DeftEvent } from './types';

export interface EventStreamHandlers {
  onEvent: (event: DeftEvent) => void;
  /** the LLM's text as it streams, before the step's event is stored */
  onText: (text: string) => void;
  onConnection: (state: 'connecting' | 'live' | 'reconnecting') => void;
}

/**
 * The Deft WebSocket stream of one conversation (`/api/v1/conversations/{id}/events?after=N`). It keeps the
 * id of the last event it delivered and reconnects from there, so a dropped connection or a restarted server
 * yields every event exactly once, in order.
 */
export function openEventStream(conversationId: string, handlers: EventStreamHandlers): () => void {
  let lastId = -1;
  let socket: WebSocket | null = null;
  let closed = false;
  let retry = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = () => {
    handlers.onConnection(retry === 0 ? 'connecting' : 'reconnecting');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const key = sessionKey.get();
    const query = `after=${lastId}${key ? `&session_api_key=${encodeURIComponent(key)}` : ''}`;
    socket = new WebSocket(
      `${scheme}://${location.host}/api/v1/conversations/${conversationId}/events?${query}`,
    );
    socket.onopen = () => {
      retry = 0;
      handlers.onConnection('live');
    };
    socket.onmessage = (message) => {
      const data = JSON.parse(String(message.data)) as { type: string; event?: DeftEvent; text?: string };
      if (data.type === 'event' && data.event) {
        if (data.event.id <= lastId) return; // never twice, whatever the transport does
        lastId = data.event.id;
        handlers.onEvent(data.event);
      } else if (data.type === 'llm_text' && data.text) handlers.onText(data.text);
    };
    socket.onclose = () => {
      socket = null;
      if (closed) return;
      handlers.onConnection('reconnecting');
      retry++;
      timer = setTimeout(connect, Math.min(5_000, 250 * 2 ** Math.min(retry, 5)));
    };
  };
  connect();
  return () => {
    closed = true;
    clearTimeout(timer);
    socket?.close();
  };
}
