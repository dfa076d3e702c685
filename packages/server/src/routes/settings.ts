import { SecretCreateRequest, SecretUpdateRequest, SettingsUpdate } from '@deft/protocol';
import type { FastifyInstance } from 'fastify';
import { type SecretStore, SettingsStore } from '../secrets/settings-store.js';

/** reference §1.3 settings and secrets routes. */
export async function settingsRoutes(
  app: FastifyInstance,
  deps: { settings: SettingsStore; secrets: SecretStore },
): Promise<void> {
  app.get('/api/settings', async (_request, reply) => {
    const settings = await deps.settings.load();
    if (!settings) return reply.status(404).send({ error: 'Settings not found' });
    return SettingsStore.toResponse(settings);
  });

  // Deft extension: whether settings exist, answered 200 either way, so the web UI can choose its first-run
  // page without provoking the reference's 404 (which browsers log as a console error).
  app.get('/api/deft/settings-status', async () => ({
    settings_saved: (await deps.settings.load()) !== null,
  }));

  app.post('/api/settings', async (request, reply) => {
    const parsed = SettingsUpdate.safeParse(request.body ?? {});
    if (!parsed.success)
      return reply.status(422).send({
        detail: parsed.error.issues.map((issue) => ({ loc: ['body', ...issue.path], msg: issue.message })),
      });
    await deps.settings.save(parsed.data);
    return { message: 'Settings stored' };
  });

  app.post('/api/reset-settings', async (_request, reply) =>
    reply.status(410).send({ error: 'Reset settings functionality has been removed.' }),
  );

  app.get('/api/secrets', async () => ({ custom_secrets: await deps.secrets.list() }));

  app.post('/api/secrets', async (request, reply) => {
    const parsed = SecretCreateRequest.safeParse(request.body ?? {});
    if (!parsed.success)
      return reply.status(422).send({
        detail: parsed.error.issues.map((issue) => ({ loc: ['body', ...issue.path], msg: issue.message })),
      });
    try {
      await deps.secrets.create(parsed.data);
    } catch (error) {
      if ((error as { code?: string }).code === 'SECRET_EXISTS')
        return reply.status(400).send({ message: `Secret ${parsed.data.name} already exists` });
      throw error;
    }
    return reply.status(201).send({ message: 'Secret created successfully' });
  });

  app.put<{ Params: { id: string } }>('/api/secrets/:id', async (request, reply) => {
    const parsed = SecretUpdateRequest.safeParse(request.body ?? {});
    if (!parsed.success)
      return reply.status(422).send({
        detail: parsed.error.issues.map((issue) => ({ loc: ['body', ...issue.path], msg: issue.message })),
      });
    try {
      await deps.secrets.update(request.params.id, parsed.data);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'SECRET_NOT_FOUND')
        return reply.status(404).send({ error: `Secret with ID ${request.params.id} not found` });
      if (code === 'SECRET_EXISTS')
        return reply.status(400).send({ message: `Secret ${parsed.data.name} already exists` });
      throw error;
    }
    return { message: 'Secret updated successfully' };
  });

  app.delete<{ Params: { id: string } }>('/api/secrets/:id', async (request, reply) => {
    try {
      await deps.secrets.delete(request.params.id);
    } catch (error) {
      if ((error as { code?: string }).code === 'SECRET_NOT_FOUND')
        return reply.status(404).send({ error: `Secret with ID ${request.params.id} not found` });
      throw error;
    }
    return { message: 'Secret deleted successfully' };
  });
}
