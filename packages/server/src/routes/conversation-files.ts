import { join } from 'node:path';
import { loadMicroagents, toApiMicroagent } from '@deft/agent';
import { createAction } from '@deft/protocol';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ConversationManager } from '../conversations/conversation-manager.js';
import type { ConversationStore } from '../conversations/index.js';
import { defaultWorkspaceDir } from '../conversations/workspace-source.js';
import type { EventLog } from '../events/index.js';
import { acceptConversationId } from './conversation-id.js';

export interface ConversationFileRouteDeps {
  conversations: ConversationStore;
  events: EventLog;
  manager: ConversationManager;
  dataDir: string;
  uploadLimits: { fileBytes: number; files: number };
}

/** A plain file name for the workspace root: no folders, no `..`, no control characters. */
function uploadName(name: string): string | null {
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  if (!base || base === '.' || base === '..' || /[\u0000-\u001f]/.test(base) || base.length > 255)
    return null;
  return base;
}

/** reference §1.3 list-files: entries the UI never shows. */
const HIDDEN_ENTRIES = new Set([
  '.git/',
  '.DS_Store',
  'node_modules/',
  '__pycache__/',
  'lost+found/',
  '.vscode/',
]);
/** reference §1.3 trajectory: browser state stripped from extras. */
const TRAJECTORY_DROPPED_EXTRAS = [
  'dom_object',
  'axtree_object',
  'active_page_index',
  'last_browser_action',
  'last_browser_action_error',
  'focused_element_bid',
  'extra_element_properties',
  'screenshot',
  'set_of_marks',
];

/** reference §1.3 per-conversation routes: config, vscode-url, web-hosts, files, trajectory, microagents. */
export async function conversationFileRoutes(
  app: FastifyInstance,
  deps: ConversationFileRouteDeps,
): Promise<void> {
  const prefix = '/api/conversations/:id';
  type Req = { Params: { id: string }; Querystring: Record<string, string | undefined> };

  app.get<Req>(`${prefix}/config`, async (request, reply) => {
    if (!(await known(request.params.id, reply))) return reply;
    return { runtime_id: deps.manager.sandboxId(request.params.id), session_id: request.params.id };
  });

  app.get<Req>(`${prefix}/vscode-url`, async (request, reply) => {
    if (!(await known(request.params.id, reply))) return reply;
    return { vscode_url: null };
  });

  app.get<Req>(`${prefix}/web-hosts`, async (request, reply) => {
    if (!(await known(request.params.id, reply))) return reply;
    return { hosts: {} };
  });

  app.get<Req>(`${prefix}/list-files`, async (request, reply) => {
    if (!(await known(request.params.id, reply))) return reply;
    const runtime = runtimeOf(request.params.id);
    if (!runtime) return reply.status(404).send({ error: 'Runtime not yet initialized' });
    const sub = (request.query.path ?? '').replace(/^\/+|\/+$/g, '');
    try {
      const names = await runtime.listFiles(sub ? `/workspace/${sub}` : '/workspace');
      return names.filter((name) => !HIDDEN_ENTRIES.has(name)).map((name) => (sub ? `${sub}/${name}` : name));
    } catch (error) {
      return reply.status(500).send({ error: `Error listing files: ${(error as Error).message}` });
    }
  });

  app.get<Req>(`${prefix}/select-file`, async (request, reply) => {
    if (!(await known(request.params.id, reply))) return reply;
    const runtime = runtimeOf(request.params.id);
    if (!runtime) return reply.status(404).send({ error: 'Runtime not yet initialized' });
    const file = request.query.file ?? '';
    const path = file.startsWith('/') ? file : join('/workspace', file);
    const observation = await runtime.executeAction(createAction('read', { path }));
    if (observation.observation === 'error') {
      if (observation.content === 'ERROR_BINARY_FILE')
        return reply.status(415).send({ error: `Unable to open binary file: ${path}` });
      return reply.status(500).send({ error: `Error opening file: ${observation.content}` });
    }
    return { code: observation.content };
  });

  app.get<Req>(`${prefix}/zip-directory`, async (request, reply) => {
    if (!(await known(request.params.id, reply))) return reply;
    const runtime = runtimeOf(request.params.id);
    if (!runtime) return reply.status(404).send({ error: 'Runtime not yet initialized' });
    const zip = await runtime.downloadFiles('/workspace');
    return reply
      .type('application/zip')
      .header('content-disposition', 'attachment; filename="workspace.zip"')
      .send(zip);
  });

  await app.register(fastifyMultipart, {
    // an oversized file is reported in skipped_files; the others of the upload still land
    throwFileSizeLimit: false,
    limits: { fileSize: deps.uploadLimits.fileBytes, files: deps.uploadLimits.files, fields: 10 },
  });

  // reference §1.3 upload-files: field `files` (repeated), each written to /workspace/<name>. Deft keeps the
  // bytes as sent (the reference decodes them as UTF-8) and reports refused files instead of failing all.
  app.post<Req>(`${prefix}/upload-files`, async (request, reply) => {
    if (!(await known(request.params.id, reply))) return reply;
    if (!request.isMultipart())
      return reply.status(400).send({ error: 'Expected a multipart/form-data body with field "files"' });
    const runtime = runtimeOf(request.params.id);
    if (!runtime) return reply.status(404).send({ error: 'Runtime not yet initialized' });
    const uploaded: string[] = [];
    const skipped: { name: string; reason: string }[] = [];
    try {
      for await (const part of request.parts()) {
        if (part.type !== 'file') continue;
        const name = part.filename ?? '';
        const content = await part.toBuffer().catch(() => null);
        if (!content || part.file.truncated) {
          skipped.push({ name, reason: `larger than ${deps.uploadLimits.fileBytes} bytes` });
          continue;
        }
        if (part.fieldname !== 'files') {
          skipped.push({ name, reason: `unexpected field ${part.fieldname}` });
          continue;
        }
        const clean = uploadName(name);
        if (!clean) {
          skipped.push({ name, reason: 'invalid file name' });
          continue;
        }
        try {
          await runtime.uploadFile('/workspace', clean, content);
          uploaded.push(`/workspace/${clean}`);
        } catch (error) {
          skipped.push({ name, reason: (error as Error).message });
        }
      }
    } catch (error) {
      return reply
        .status(400)
        .send({ error: `Upload failed: ${(error as Error).message}`, uploaded_files: uploaded });
    }
    return { uploaded_files: uploaded, skipped_files: skipped };
  });

  app.get<Req>(`${prefix}/trajectory`, async (request, reply) => {
    if (!(await known(request.params.id, reply))) return reply;
    const trajectory: Record<string, unknown>[] = [];
    const latest = await deps.events.latestId(request.params.id);
    for (let start = 0; start <= latest; start += 100) {
      const page = await deps.events.search(request.params.id, {
        start_id: start,
        end_id: latest,
        limit: 100,
        exclude_hidden: true,
      });
      for (const event of page.events) {
        const copy = { ...event } as Record<string, unknown>;
        if (copy.extras && typeof copy.extras === 'object') {
          const extras = { ...(copy.extras as Record<string, unknown>) };
          for (const key of TRAJECTORY_DROPPED_EXTRAS) delete extras[key];
          copy.extras = extras;
        }
        trajectory.push(copy);
      }
    }
    return { trajectory };
  });

  app.get<Req>(`${prefix}/microagents`, async (request, reply) => {
    if (!(await known(request.params.id, reply))) return reply;
    if (!deps.manager.isRunning(request.params.id))
      return reply.status(404).send({ error: 'Agent session not found for this conversation' });
    const metadata = await deps.conversations.get(request.params.id);
    const agents = loadMicroagents({
      workspaceDir: metadata?.workspace_dir ?? defaultWorkspaceDir(deps.dataDir, request.params.id),
      userDir: join(deps.dataDir, 'microagents'),
    });
    return { microagents: agents.map(toApiMicroagent) };
  });

  function runtimeOf(id: string) {
    try {
      return deps.manager.runtime(id);
    } catch {
      return null;
    }
  }

  async function known(id: string, reply: FastifyReply): Promise<boolean> {
    if (!acceptConversationId(id, reply)) return false;
    if (await deps.conversations.get(id)) return true;
    void reply.status(404).send({ detail: `Conversation ${id} not found` });
    return false;
  }
}
