import type { FastifyInstance } from 'fastify';
import type { ConversationManager } from '../conversations/conversation-manager.js';
import type { ConversationStore } from '../conversations/index.js';
import type { EventLog } from '../events/index.js';

export interface SseDeps {
  events: EventLog;
  conversations: ConversationStore;
  manager?: ConversationManager;
  heartbeatMs?: number;
}

/**
 * Deft's resumable event stream (SSE) at GET /api/v1/conversations/{id}/events: every event carries its id
 * as the SSE id, so a client resumes with Last-Event-ID (or ?after=N) and gets no gap and no duplicate.
 * Heartbeat comments keep proxies from closing an idle stream; the LLM's live text comes as `llm_text`
 * events without an id (a side channel, never stored). A reader that falls behind is disconnected and
 * reconnects from its cursor.
 */
export async function sseRoutes(app: FastifyInstance, deps: SseDeps): Promise<void> {
  app.get<{ Params: { id: string }; Querystring: { after?: string } }>(
    '/api/v1/conversations/:id/events',
    async (request, reply) => {
      const id = request.params.id;
      if (!(await deps.conversations.get(id)))
        return reply
          .status(404)
          .send({ code: 'CONVERSATION_NOT_FOUND', message: `Conversation ${id} not found` });
      const header = request.headers['last-event-id'];
      const cursorText = (Array.isArray(header) ? header[0] : header) ?? request.query.after ?? '-1';
      const after = Number.parseInt(cursorText, 10);
      if (!Number.isInteger(after) || after < -1)
        return reply
          .status(400)
          .send({ code: 'VALIDATION_FAILED', message: 'The cursor must be an event id' });

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write(': connected\n\n');
      const subscription = deps.events.subscribe(id, after, { maxQueue: 5_000 });
      const releaseClient = deps.manager?.attachClient(id);
      const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), deps.heartbeatMs ?? 15_000);
      const stopText = deps.manager?.onTextDelta(id, (text) =>
        raw.write(`event: llm_text\ndata: ${JSON.stringify({ text })}\n\n`),
      );
      const end = () => {
        clearInterval(heartbeat);
        stopText?.();
        subscription.close();
        releaseClient?.();
        if (!raw.writableEnded) raw.end();
      };
      request.raw.on('close', end);
      try {
        for await (const event of subscription) {
          if (!raw.write(`id: ${event.id}\nevent: event\ndata: ${JSON.stringify(event)}\n\n`)) {
            await new Promise((resolve) => raw.once('drain', resolve));
          }
        }
      } catch {
        // fell behind or the log closed: the client reconnects with Last-Event-ID
      } finally {
        end();
      }
    },
  );
}
