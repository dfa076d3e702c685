import {
  ConversationInfo,
  ConversationInfoResultSet,
  ConversationResponse,
  InitSessionRequest,
  ListConversationsQuery,
  SecretCreateRequest,
  SecretUpdateRequest,
  SettingsUpdate,
  StartConversationRequest,
  UpdateConversationRequest,
} from '@deft/protocol';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';

const ConversationParams = z.object({ id: z.string().describe('32 lowercase hex characters') });
const MessageBody = z.object({ message: z.string() });
const EventsQuery = z.object({
  start_id: z.coerce.number().int().optional(),
  end_id: z.coerce.number().int().optional(),
  reverse: z.coerce.boolean().optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});
const StreamQuery = z.object({ after: z.coerce.number().int().min(-1).optional() });

/** The documented shape of each route, by `METHOD url` — the zod schemas the handlers parse with. */
const ROUTE_DOCS: Record<string, FastifySchema & { tags: string[]; summary: string }> = {
  'GET /api/conversations': {
    tags: ['conversations'],
    summary: 'List conversations, newest first (reference §1.3)',
    querystring: ListConversationsQuery,
    response: { 200: ConversationInfoResultSet },
  },
  'POST /api/conversations': {
    tags: ['conversations'],
    summary: 'Create a conversation and start its agent loop (workspace_path / git_url are Deft extensions)',
    body: InitSessionRequest,
    response: { 200: ConversationResponse },
  },
  'GET /api/conversations/:id': {
    tags: ['conversations'],
    summary: 'One conversation, or null when it does not exist',
    params: ConversationParams,
    response: { 200: ConversationInfo.nullable() },
  },
  'PATCH /api/conversations/:id': {
    tags: ['conversations'],
    summary: 'Rename a conversation',
    params: ConversationParams,
    body: UpdateConversationRequest,
  },
  'DELETE /api/conversations/:id': {
    tags: ['conversations'],
    summary: 'Delete a conversation, its events and its default workspace',
    params: ConversationParams,
  },
  'POST /api/conversations/:id/start': {
    tags: ['conversations'],
    summary: 'Start (or resume) the agent loop',
    params: ConversationParams,
    body: StartConversationRequest,
  },
  'POST /api/conversations/:id/stop': {
    tags: ['conversations'],
    summary: 'Stop the agent loop and its sandbox',
    params: ConversationParams,
  },
  'POST /api/conversations/:id/message': {
    tags: ['conversations'],
    summary: 'Send a user message',
    params: ConversationParams,
    body: MessageBody,
  },
  'GET /api/conversations/:id/events': {
    tags: ['events'],
    summary: 'Search stored events (reference §1.3)',
    params: ConversationParams,
    querystring: EventsQuery,
  },
  'GET /api/v1/conversations/:id/events': {
    tags: ['events'],
    summary:
      'Live event stream (SSE, or WebSocket on Upgrade) resuming after a cursor (Last-Event-ID or ?after=)',
    params: ConversationParams,
    querystring: StreamQuery,
  },
  'POST /api/settings': {
    tags: ['settings'],
    summary: 'Save settings (null keeps a stored secret)',
    body: SettingsUpdate,
  },
  'GET /api/settings': { tags: ['settings'], summary: 'Settings (404 until saved; secrets never returned)' },
  'GET /api/deft/settings-status': {
    tags: ['settings'],
    summary: 'Deft extension: whether settings were saved (always 200), for the web UI’s first-run page',
  },
  'POST /api/secrets': { tags: ['secrets'], summary: 'Add a custom secret', body: SecretCreateRequest },
  'PUT /api/secrets/:id': { tags: ['secrets'], summary: 'Update a custom secret', body: SecretUpdateRequest },
};

/**
 * OpenAPI at /docs (UI) and /docs/json, generated from the zod schemas above. The handlers keep parsing
 * their own input so each route answers bad input exactly as the reference does (422 / 400 bodies): the
 * schemas document, they do not validate.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const doc = ROUTE_DOCS[`${method} ${route.url}`];
      if (doc) route.schema = { ...doc, ...route.schema };
    }
    if (!route.url.startsWith('/api/')) route.schema = { hide: true, ...route.schema } as FastifySchema;
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Deft API',
        description:
          'The OpenHands V0 API (reference/openhands-v0-protocol.md §1) plus Deft streams. Socket.IO is at /socket.io.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: { sessionApiKey: { type: 'apiKey', in: 'header', name: 'X-Session-API-Key' } },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
}
