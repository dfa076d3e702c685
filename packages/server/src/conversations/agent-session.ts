import { join } from 'node:path';
import {
  AgentController,
  CodeActAgent,
  createLlmClient,
  createRecallHandler,
  type LlmClient,
  type LlmResponse,
  type StatusUpdate,
} from '@deft/agent';
import type { RuntimeStatus, Settings } from '@deft/protocol';
import type { ProcessSandboxProvider, SandboxProvider } from '@deft/sandbox';
import type { DeftConfig } from '../config/index.js';
import type { EventLog, StoredEvent } from '../events/index.js';
import type { Logger } from '../logging/logger.js';
import type { SecretStore } from '../secrets/settings-store.js';
import type { ConversationMetadata, ConversationStore } from './metadata-store.js';
import { conversationLog, sandboxRunner } from './runtime-ports.js';
import { cloneInto, defaultWorkspaceDir, isRemoteSource, repositoryUrl } from './workspace-source.js';

export interface AgentSessionDeps {
  config: DeftConfig;
  conversations: ConversationStore;
  events: EventLog;
  secrets: SecretStore;
  sandboxes: SandboxProvider & Pick<ProcessSandboxProvider, 'client'>;
  logger: Logger;
  conversationId: string;
  metadata: ConversationMetadata;
  settings: Settings;
  /** true once the conversation was stopped while it was starting: the session is abandoned */
  isCancelled: () => boolean;
  onRuntimeStatus: (status: RuntimeStatus) => void;
  onSandbox: (sandboxId: string) => void;
  onStatus: (status: StatusUpdate) => void;
  onEvent: (event: StoredEvent) => void;
  onTextDelta: (text: string) => void;
  onLlmCall?: (outcome: { ok: true; response: LlmResponse } | { ok: false }) => void;
}

/** The LLM the user's settings name (config `llm.*` fills what the settings leave empty). */
export function settingsLlm(config: DeftConfig, settings: Settings): LlmClient {
  return createLlmClient({
    model: settings.llm_model || config.llm.model,
    apiKey: settings.llm_api_key || config.llm.api_key,
    baseUrl: settings.llm_base_url || config.llm.base_url || undefined,
    timeoutMs: config.llm.timeout_ms,
  });
}

/**
 * reference §5.2 initialize_agent: the workspace (cloned when the conversation names a repository), a
 * sandbox on it with the custom secrets in its environment (and masked in events), then an agent controller
 * over the event log and that sandbox. Returns null when the conversation was stopped meanwhile.
 */
export async function bootAgentSession(
  deps: AgentSessionDeps,
): Promise<{ controller: AgentController; restore: boolean } | null> {
  const { config, events, conversationId, metadata, settings } = deps;
  const secrets = await deps.secrets.values();
  events.registerSecrets(conversationId, Object.values(secrets));
  if (settings.llm_api_key) events.registerSecrets(conversationId, [settings.llm_api_key]);
  const workspaceDir = metadata.workspace_dir ?? defaultWorkspaceDir(config.data_dir, conversationId);
  if (!metadata.workspace_dir && isRemoteSource(metadata.selected_repository)) {
    const source = metadata.selected_repository;
    const url =
      source.includes('://') || source.includes('@') ? source : repositoryUrl(source, metadata.git_provider);
    deps.onStatus({ type: 'info', id: 'STATUS$SETTING_UP_WORKSPACE', message: 'Setting up workspace...' });
    if (await cloneInto(workspaceDir, url, config.conversations.clone_timeout_ms))
      deps.logger.info({ repository: source }, 'workspace cloned');
  }
  if (deps.isCancelled()) return null;
  const sandbox = await deps.sandboxes.create({
    id: conversationId,
    workspaceDir,
    env: secrets,
    network: config.sandbox.network,
    limits: {
      memoryBytes: config.sandbox.memory_mb * 1024 * 1024,
      pids: config.sandbox.pids,
      cpus: config.sandbox.cpus,
    },
    startupTimeoutMs: config.sandbox.startup_timeout_ms,
  });
  deps.onSandbox(sandbox.id);
  if (deps.isCancelled()) {
    await deps.sandboxes.destroy(sandbox.id);
    return null;
  }
  deps.onRuntimeStatus('STATUS$RUNTIME_STARTED');
  await deps.conversations.update(conversationId, {
    sandbox_id: sandbox.id,
    llm_model: settings.llm_model,
  });
  const client = settingsLlm(config, settings);
  const onCall = deps.onLlmCall;
  const llm: LlmClient = {
    model: client.model,
    async complete(request, options) {
      try {
        const response = await client.complete(request, options);
        onCall?.({ ok: true, response });
        return response;
      } catch (error) {
        onCall?.({ ok: false });
        throw error;
      }
    },
  };
  const log = conversationLog(events, conversationId);
  const controller = new AgentController({
    conversationId,
    agent: new CodeActAgent({
      llm,
      condenser: settings.enable_default_condenser
        ? { maxSize: settings.condenser_max_size ?? 120, keepFirst: 4 }
        : false,
    }),
    log: {
      readAll: log.readAll,
      append: async (event) => {
        const stored = await log.append(event);
        deps.onEvent(stored);
        return stored;
      },
    },
    runner: sandboxRunner(deps.sandboxes.client(sandbox.id)),
    recall: createRecallHandler({
      workspaceDir,
      userDir: join(config.data_dir, 'microagents'),
      customSecretsDescriptions: Object.fromEntries(Object.keys(secrets).map((name) => [name, ''])),
    }),
    onStatus: deps.onStatus,
    onTextDelta: deps.onTextDelta,
    config: {
      maxIterations: settings.max_iterations ?? config.agent.max_iterations,
      maxBudgetPerTask: settings.max_budget_per_task ?? config.agent.max_budget_per_task,
      confirmationMode: settings.confirmation_mode ? 'high' : config.agent.confirmation_mode,
      llmRetry: {
        retries: config.agent.llm_num_retries,
        minWaitMs: config.agent.llm_retry_min_wait_ms,
        maxWaitMs: config.agent.llm_retry_max_wait_ms,
        multiplier: 2,
      },
    },
  });
  const restore = (await events.latestId(conversationId)) >= 0;
  return { controller, restore };
}
