import { join } from 'node:path';
import {
  AgentController,
  CodeActAgent,
  createLlmClient,
  createRecallHandler,
  type LlmClient,
  type StatusUpdate,
} from '@deft/agent';
import {
  type ConversationStatus,
  createAction,
  DeftError,
  type DeftEvent,
  type RuntimeStatus,
} from '@deft/protocol';
import type { ProcessSandboxProvider, SandboxProvider } from '@deft/sandbox';
import type { DeftConfig } from '../config/index.js';
import type { EventLog } from '../events/index.js';
import type { Logger } from '../logging/logger.js';
import type { SecretStore, SettingsStore } from '../secrets/settings-store.js';
import type { ConversationStore } from './metadata-store.js';
import { conversationLog, sandboxRunner } from './runtime-ports.js';

type ClientProvider = SandboxProvider & Pick<ProcessSandboxProvider, 'client'>;

export interface ConversationManagerDeps {
  config: DeftConfig;
  conversations: ConversationStore;
  events: EventLog;
  settings: SettingsStore;
  secrets: SecretStore;
  sandboxes: ClientProvider;
  logger: Logger;
  /** every LLM call's outcome (metrics) */
  onLlmCall?: (outcome: { ok: true; response: import('@deft/agent').LlmResponse } | { ok: false }) => void;
  /** unpersisted status updates for a conversation's clients (reference §2.3) */
  onStatus?: (conversationId: string, status: StatusUpdate) => void;
}

interface Live {
  status: ConversationStatus;
  runtimeStatus: RuntimeStatus | null;
  controller: AgentController | null;
  sandboxId: string | null;
  starting: Promise<void> | null;
}

/**
 * Owns the running conversations of this process (reference §5): one sandbox and one agent loop each, the
 * only writer of their events. A conversation's status is STARTING while its sandbox comes up, RUNNING with
 * runtime STATUS$READY once the loop runs, STOPPED otherwise.
 */
export class ConversationManager {
  readonly #deps: ConversationManagerDeps;
  readonly #live = new Map<string, Live>();
  readonly #textListeners = new Map<string, Set<(text: string) => void>>();

  constructor(deps: ConversationManagerDeps) {
    this.#deps = deps;
  }

  status(conversationId: string): { status: ConversationStatus; runtimeStatus: RuntimeStatus | null } {
    const live = this.#live.get(conversationId);
    return live
      ? { status: live.status, runtimeStatus: live.runtimeStatus }
      : { status: 'STOPPED', runtimeStatus: null };
  }

  /** The runtime client of a running conversation's sandbox (CONVERSATION_NOT_RUNNING otherwise). */
  runtime(conversationId: string): import('@deft/sandbox').RuntimeClient {
    const live = this.#live.get(conversationId);
    if (!live?.sandboxId || live.status !== 'RUNNING') {
      throw new DeftError('CONVERSATION_NOT_RUNNING', `Conversation ${conversationId} is not running`);
    }
    return this.#deps.sandboxes.client(live.sandboxId);
  }

  /** The sandbox id of a running conversation, or null. */
  sandboxId(conversationId: string): string | null {
    return this.#live.get(conversationId)?.sandboxId ?? null;
  }

  get runningCount(): number {
    return this.#live.size;
  }

  isRunning(conversationId: string): boolean {
    return this.#live.has(conversationId);
  }

  /**
   * Starts the conversation's loop in the background (the HTTP call returns at once with STARTING). Settings
   * must exist. An initial message, if any, becomes the first user message.
   */
  async start(
    conversationId: string,
    options: { initialMessage?: string } = {},
  ): Promise<ConversationStatus> {
    const existing = this.#live.get(conversationId);
    if (existing) return existing.status;
    const metadata = await this.#deps.conversations.get(conversationId);
    if (!metadata) throw new DeftError('CONVERSATION_NOT_FOUND', `Conversation ${conversationId} not found`);
    const settings = await this.#deps.settings.load();
    if (!settings) throw new DeftError('SETTINGS_NOT_FOUND');
    const live: Live = {
      status: 'STARTING',
      runtimeStatus: 'STATUS$STARTING_RUNTIME',
      controller: null,
      sandboxId: null,
      starting: null,
    };
    this.#live.set(conversationId, live);
    live.starting = this.#boot(conversationId, live, options, settings).catch(async (error: unknown) => {
      this.#deps.logger.error(
        { err: error, conversation_id: conversationId },
        'conversation failed to start',
      );
      this.#status(conversationId, {
        type: 'error',
        id: 'STATUS$ERROR_RUNTIME_DISCONNECTED',
        message: (error as Error).message,
      });
      await this.stop(conversationId);
    });
    return live.status;
  }

  /** The LLM's text as it streams, for one conversation (a live side channel; returns the unsubscribe). */
  onTextDelta(conversationId: string, listener: (text: string) => void): () => void {
    let listeners = this.#textListeners.get(conversationId);
    if (!listeners) {
      listeners = new Set();
      this.#textListeners.set(conversationId, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#textListeners.delete(conversationId);
    };
  }

  /** Waits until a started conversation is running (or failed to start). */
  async ready(conversationId: string): Promise<void> {
    await this.#live.get(conversationId)?.starting;
  }

  /** User input for a running conversation (reference §2.2 oh_user_action, §1.3 POST /message and /events). */
  async submit(conversationId: string, event: DeftEvent): Promise<void> {
    const live = this.#live.get(conversationId);
    if (!live)
      throw new DeftError('CONVERSATION_NOT_RUNNING', `Conversation ${conversationId} is not running`);
    await live.starting;
    if (!live.controller)
      throw new DeftError('CONVERSATION_NOT_RUNNING', `Conversation ${conversationId} is not running`);
    await live.controller.submit(event);
  }

  /** Stops the loop and destroys the sandbox (the workspace stays). Returns the status before stopping. */
  async stop(conversationId: string): Promise<ConversationStatus> {
    const live = this.#live.get(conversationId);
    if (!live) return 'STOPPED';
    this.#live.delete(conversationId);
    await live.controller?.close();
    if (live.sandboxId) await this.#deps.sandboxes.destroy(live.sandboxId).catch(() => undefined);
    return live.status;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#live.keys()].map((id) => this.stop(id)));
  }

  async #boot(
    conversationId: string,
    live: Live,
    options: { initialMessage?: string },
    settings: NonNullable<Awaited<ReturnType<SettingsStore['load']>>>,
  ): Promise<void> {
    const { config, events } = this.#deps;
    const secrets = await this.#deps.secrets.values();
    events.registerSecrets(conversationId, Object.values(secrets));
    if (settings.llm_api_key) events.registerSecrets(conversationId, [settings.llm_api_key]);
    const workspaceDir = join(config.data_dir, 'workspaces', conversationId);
    const sandbox = await this.#deps.sandboxes.create({
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
    live.sandboxId = sandbox.id;
    if (!this.#live.has(conversationId)) {
      await this.#deps.sandboxes.destroy(sandbox.id);
      return;
    }
    live.runtimeStatus = 'STATUS$RUNTIME_STARTED';
    await this.#deps.conversations.update(conversationId, {
      sandbox_id: sandbox.id,
      llm_model: settings.llm_model,
    });
    const client = createLlmClient({
      model: settings.llm_model ?? config.llm.model,
      apiKey: settings.llm_api_key ?? config.llm.api_key,
      baseUrl: settings.llm_base_url || config.llm.base_url || undefined,
      timeoutMs: config.llm.timeout_ms,
    });
    const onCall = this.#deps.onLlmCall;
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
    const controller = new AgentController({
      conversationId,
      agent: new CodeActAgent({
        llm,
        condenser: settings.enable_default_condenser
          ? { maxSize: settings.condenser_max_size ?? 120, keepFirst: 4 }
          : false,
      }),
      log: conversationLog(events, conversationId),
      runner: sandboxRunner(this.#deps.sandboxes.client(sandbox.id)),
      recall: createRecallHandler({
        workspaceDir,
        userDir: join(config.data_dir, 'microagents'),
        customSecretsDescriptions: Object.fromEntries(Object.keys(secrets).map((name) => [name, ''])),
      }),
      onStatus: (status) => this.#status(conversationId, status),
      onTextDelta: (text) => {
        for (const listener of this.#textListeners.get(conversationId) ?? []) listener(text);
      },
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
    live.controller = controller;
    const restore = (await events.latestId(conversationId)) >= 0;
    await controller.start({
      restore,
      initialMessage: options.initialMessage
        ? createAction('message', { content: options.initialMessage })
        : undefined,
    });
    live.status = 'RUNNING';
    live.runtimeStatus = 'STATUS$READY';
    this.#status(conversationId, { type: 'info', id: 'STATUS$READY', message: 'ready' });
  }

  #status(conversationId: string, status: StatusUpdate): void {
    this.#deps.onStatus?.(conversationId, status);
  }
}
