import { listKnownModels } from '@deft/agent';
import type { FastifyInstance } from 'fastify';

/** reference §1.3 Options (/api/options/*), answered as OSS mode does. */
export async function optionsRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/options/models', async () => listKnownModels());
  app.get('/api/options/agents', async () => ['CodeActAgent']);
  app.get('/api/options/security-analyzers', async () => []);
  app.get('/api/options/config', async () => ({
    APP_MODE: 'oss',
    GITHUB_CLIENT_ID: '',
    POSTHOG_CLIENT_KEY: '',
    FEATURE_FLAGS: {
      ENABLE_BILLING: false,
      HIDE_LLM_SETTINGS: false,
      ENABLE_JIRA: false,
      ENABLE_JIRA_DC: false,
      ENABLE_LINEAR: false,
    },
  }));
}
