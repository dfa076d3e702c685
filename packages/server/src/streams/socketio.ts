import { createHash, timingSafeEqual } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { parseEvent } from '@deft/protocol';
import { Server, type Socket } from 'socket.io';
import type { ConversationManager } from '../conversations/conversation-manager.js';
import type { ConversationStore } from '../conversations/index.js';
import type { EventLog, StoredEvent } from '../events/index.js';
import type { Logger } from '../logging/logger.js';
import type { SettingsStore } from '../secrets/settings-store.js';

export interface SocketDeps {
  events: EventLog;
  conversations: ConversationStore;
  settings: SettingsStore;
  manager: ConversationManager;
  logger: Logger;
  sessionApiKey: string;
  onConnectionChange?: (delta: number) => void;
}

/**
 * The V0 Socket.IO protocol (reference §2) at /socket.io. Each connection has its own cursor subscription to
 * the event log, so the replay after `latest_event_id` and the live tail meet without a gap or a duplicate.
 */
export function attachSocketIo(httpServer: HttpServer, deps: SocketDeps): Server {
  const io = new Server(httpServer, {
    path: '/socket.io',
    cors: { origin: '*' },
    maxHttpBufferSize: 4 * 1024 * 1024,
    serveClient: false,
  });
  const expectedKey = deps.sessionApiKey ? createHash('sha256').update(deps.sessionApiKey).digest() : null;

  io.use((socket, next) => {
    void (async () => {
      const query = socket.handshake.query as Record<string, string | undefined>;
      if (!query.conversation_id) return next(refusal('No conversation_id in query params'));
      if (expectedKey) {
        const offered = createHash('sha256')
          .update(query.session_api_key ?? '')
          .digest();
        if (!timingSafeEqual(offered, expectedKey)) return next(refusal('invalid_session_api_key'));
      }
      if (!(await deps.settings.load()))
        return next(refusal('Settings not found', { msg_id: 'CONFIGURATION$SETTINGS_NOT_FOUND' }));
      // reference §2.1: the OSS validator creates the conversation's metadata when it is missing.
      if (!(await deps.conversations.get(query.conversation_id))) {
        await deps.conversations.create({ conversation_id: query.conversation_id }).catch(() => undefined);
      }
      next();
    })().catch((error: unknown) => next(refusal((error as Error).message)));
  });

  io.on('connection', (socket) => void serve(socket, deps));
  return io;
}

async function serve(socket: Socket, deps: SocketDeps): Promise<void> {
  const query = socket.handshake.query as Record<string, string | undefined>;
  const conversationId = query.conversation_id!;
  const parsed = Number.parseInt(query.latest_event_id ?? '-1', 10);
  const after = Number.isInteger(parsed) ? parsed : -1;
  const replayEnd = await deps.events.latestId(conversationId);
  const subscription = deps.events.subscribe(conversationId, after, { maxQueue: 5_000 });
  const releaseClient = deps.manager?.attachClient(conversationId);
  deps.onConnectionChange?.(1);
  socket.on('disconnect', () => {
    deps.onConnectionChange?.(-1);
    subscription.close();
    releaseClient?.();
  });

  const handleAction = async (payload: unknown) => {
    try {
      await deps.manager.submit(conversationId, { ...parseEvent(payload), source: 'user' });
    } catch (error) {
      deps.logger.debug({ conversation_id: conversationId, err: error }, 'user action refused');
    }
  };
  socket.on('oh_user_action', handleAction);
  socket.on('oh_action', handleAction);
  await socket.join(`room:${conversationId}`);

  let heldState: StoredEvent | null = null;
  let replaying = replayEnd > after;
  if (!replaying) void startLoop(deps, conversationId);
  try {
    for await (const event of subscription) {
      if (replaying) {
        if (!skippedInReplay(event)) {
          if (isStateChange(event)) heldState = event;
          else socket.emit('oh_event', event);
        }
        if (event.id >= replayEnd) {
          replaying = false;
          if (heldState) socket.emit('oh_event', heldState);
          void startLoop(deps, conversationId);
        }
        continue;
      }
      const live = liveForm(event);
      if (live) socket.emit('oh_event', live);
    }
  } catch (error) {
    // A reader that fell behind is disconnected; the client reconnects with its latest_event_id.
    deps.logger.debug({ conversation_id: conversationId, err: error }, 'socket subscription ended');
    socket.disconnect(true);
  }
}

/** reference §2.1 step 4: joining a conversation starts its agent loop when it is not running. */
async function startLoop(deps: SocketDeps, conversationId: string): Promise<void> {
  if (deps.manager.isRunning(conversationId)) return;
  await deps.manager
    .start(conversationId)
    .catch((error: unknown) =>
      deps.logger.warn({ conversation_id: conversationId, err: error }, 'could not start the conversation'),
    );
}

function refusal(message: string, data?: Record<string, unknown>): Error {
  const error = new Error(message) as Error & { data?: unknown };
  if (data) error.data = data;
  return error;
}

function isStateChange(event: StoredEvent): boolean {
  return 'observation' in event && event.observation === 'agent_state_changed';
}

/** reference §2.1 step 1: null actions/observations and recall actions are not replayed. */
function skippedInReplay(event: StoredEvent): boolean {
  if ('action' in event) return event.action === 'null' || event.action === 'recall';
  return event.observation === 'null';
}

/**
 * reference §2.3 live forwarding: agent and user events (not null ones); of environment events only run,
 * agent_state_changed, recall and error observations, with `source` rewritten to `agent`.
 */
export function liveForm(event: StoredEvent): StoredEvent | null {
  if ('action' in event ? event.action === 'null' : event.observation === 'null') return null;
  if (event.source === 'agent' || event.source === 'user') return event;
  if ('observation' in event && ['run', 'agent_state_changed', 'recall', 'error'].includes(event.observation))
    return { ...event, source: 'agent' } as StoredEvent;
  return null;
}
