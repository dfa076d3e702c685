import { createHash, timingSafeEqual } from 'node:crypto';
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { ConversationManager } from '../conversations/conversation-manager.js';
import type { ConversationStore } from '../conversations/index.js';
import type { EventLog } from '../events/index.js';

export interface WebSocketStreamDeps {
  events: EventLog;
  conversations: ConversationStore;
  manager?: ConversationManager;
  sessionApiKey: string;
  heartbeatMs?: number;
}

const PATH = /^\/api\/v1\/conversations\/([0-9a-f]{32})\/events$/;

/**
 * The same resumable stream as the SSE route, over a plain WebSocket (`Upgrade` on
 * /api/v1/conversations/{id}/events?after=N): messages `{"type":"event","id":N,"event":{…}}` and
 * `{"type":"llm_text","text":"…"}`; ping frames as heartbeats; a reader that falls behind is closed with
 * code 4008 and reconnects from its last id.
 */
export function attachWebSocketStream(server: HttpServer, deps: WebSocketStreamDeps): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const expectedKey = deps.sessionApiKey ? createHash('sha256').update(deps.sessionApiKey).digest() : null;

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://deft');
    const match = PATH.exec(url.pathname);
    if (!match) return; // not ours (e.g. /socket.io)
    const offered =
      (request.headers['x-session-api-key'] as string | undefined) ??
      url.searchParams.get('session_api_key') ??
      '';
    if (expectedKey && !timingSafeEqual(createHash('sha256').update(offered).digest(), expectedKey)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    const after = Number.parseInt(
      url.searchParams.get('after') ?? url.searchParams.get('last_event_id') ?? '-1',
      10,
    );
    if (!Number.isInteger(after) || after < -1) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    void deps.conversations.get(match[1]!).then((metadata) => {
      if (!metadata) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => void stream(ws, match[1]!, after, deps));
    });
  });
  return wss;
}

async function stream(
  ws: WebSocket,
  conversationId: string,
  after: number,
  deps: WebSocketStreamDeps,
): Promise<void> {
  const subscription = deps.events.subscribe(conversationId, after, { maxQueue: 5_000 });
  const releaseClient = deps.manager?.attachClient(conversationId);
  const heartbeat = setInterval(() => ws.ping(), deps.heartbeatMs ?? 15_000);
  const stopText = deps.manager?.onTextDelta(conversationId, (text) =>
    ws.send(JSON.stringify({ type: 'llm_text', text })),
  );
  ws.on('close', () => {
    clearInterval(heartbeat);
    stopText?.();
    subscription.close();
    releaseClient?.();
  });
  try {
    for await (const event of subscription) {
      if (ws.readyState !== ws.OPEN) break;
      ws.send(JSON.stringify({ type: 'event', id: event.id, event }));
    }
  } catch {
    ws.close(4008, 'fell behind: reconnect with your last id');
  }
}
