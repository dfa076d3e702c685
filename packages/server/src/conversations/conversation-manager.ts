import type { AgentController, LlmResponse, StatusUpdate } from '@deft/agent';
import { type ConversationStatus, DeftError, type DeftEvent, type RuntimeStatus } from '@deft/protocol';
import type { ProcessSandboxProvider, RuntimeClient, SandboxProvider } from '@deft/sandbox';
import type { DeftConfig } from '../config/index.js';
import type { EventLog } from '../events/index.js';
import type { Logger } from '../logging/logger.js';
import type { SecretStore, SettingsStore } from '../secrets/settings-store.js';
import { bootAgentSession, settingsLlm } from './agent-session.js';
import { ConversationActivity } from './conversation-activity.js';
import type { ConversationStore, LoopState } from './metadata-store.js';

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
  onLlmCall?: (outcome: { ok: true; response: LlmResponse } | { ok: false }) => void;
  /** unpersisted messages for a conversation's clients: status and title updates (reference §2.3) */
  onRoomMessage?: (conversationId: string, payload: Record<string, unknown>) => void;
}

interface Live {
  status: ConversationStatus;
  runtimeStatus: RuntimeStatus | null;
  controller: AgentController | null;
  sandboxId: string | null;
  starting: Promise<void> | null;
  /** last event, client arrival or departure (ms) — what the idle pause measures */
  lastActiveAt: number;
}

/** reference §2.3: the eviction notice sent to the room of a conversation paused to make room. */
const TOO_MANY_CONVERSATIONS = {
  type: 'error',
  id: 'AGENT_ERROR$TOO_MANY_CONVERSATIONS',
  message:
    'Too many conversations at once. If you are still using this one, try reactivating it by prompting the agent to continue',
} as const;

/** reference §2.3: sent to the room when a session closes (unpersisted: no id, timestamp or source). */
const SESSION_CLOSED = {
  message: '',
  observation: 'agent_state_changed',
  content: '',
  extras: { agent_state: 'stopped', reason: '' },
};

/**
 * Owns the running conversations of this process (reference §5): one sandbox and one agent loop each, the
 * only writer of their events. A conversation is STARTING while its sandbox comes up, RUNNING with runtime
 * STATUS$READY once the loop runs, STOPPED otherwise. At most `conversations.max_running` run at once: at the
 * limit the least recently active idle one is paused with a notice to its room; idle ones without clients
 * are paused after `close_delay_s`; a message or a connect brings a paused one back on the same workspace.
 * `loop_state` in the metadata records where each loop should be, so a restart brings back the running ones.
 */
export class ConversationManager {
  readonly #deps: ConversationManagerDeps;
  readonly #live = new Map<string, Live>();
  readonly #textListeners = new Map<string, Set<(text: string) => void>>();
  readonly #activity: ConversationActivity;
  /** connected Socket.IO / WebSocket / SSE clients per conversation */
  readonly #clients = new Map<string, number>();
  readonly #titleModels = new Map<string, ReturnType<typeof settingsLlm>>();
  #sweeper: NodeJS.Timeout | null = null;
  #closing = false;

  constructor(deps: ConversationManagerDeps) {
    this.#deps = deps;
    this.#activity = new ConversationActivity({
      conversations: deps.conversations,
      logger: deps.logger,
      titleLlm: (id) => this.#titleModels.get(id) ?? null,
      onTitle: (id, title) => this.announceTitle(id, title),
    });
    const interval = deps.config.conversations.sweep_interval_ms;
    if (interval > 0) {
      this.#sweeper = setInterval(() => void this.sweepIdle(), interval);
      this.#sweeper.unref();
    }
  }

  status(conversationId: string): { status: ConversationStatus; runtimeStatus: RuntimeStatus | null } {
    const live = this.#live.get(conversationId);
    return live
      ? { status: live.status, runtimeStatus: live.runtimeStatus }
      : { status: 'STOPPED', runtimeStatus: null };
  }

  /** The runtime client of a running conversation's sandbox (CONVERSATION_NOT_RUNNING otherwise). */
  runtime(conversationId: string): RuntimeClient {
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

  /** The agent state of a running conversation's loop (null when it has none). */
  agentState(conversationId: string): string | null {
    return this.#live.get(conversationId)?.controller?.state ?? null;
  }

  /**
   * Starts the conversation's loop in the background (the HTTP call returns at once with STARTING). Settings
   * must exist. An initial message, if any, becomes the first user message; `resume` carries on a task that
   * was running when the loop ended (a restart). At the limit, the least recently active idle conversation is
   * paused first; when every running one is busy, TOO_MANY_CONVERSATIONS.
   */
  async start(
    conversationId: string,
    options: { initialMessage?: string; resume?: boolean } = {},
  ): Promise<ConversationStatus> {
    if (this.#closing) throw new DeftError('CONVERSATION_NOT_RUNNING', 'The server is shutting down');
    const existing = this.#live.get(conversationId);
    if (existing) return existing.status;
    const metadata = await this.#deps.conversations.get(conversationId);
    if (!metadata) throw new DeftError('CONVERSATION_NOT_FOUND', `Conversation ${conversationId} not found`);
    const settings = await this.#deps.settings.load();
    if (!settings) throw new DeftError('SETTINGS_NOT_FOUND');
    const raced = this.#live.get(conversationId);
    if (raced) return raced.status;
    await this.#makeRoom();
    const again = this.#live.get(conversationId);
    if (again) return again.status;
    const live: Live = {
      status: 'STARTING',
      runtimeStatus: 'STATUS$STARTING_RUNTIME',
      controller: null,
      sandboxId: null,
      starting: null,
      lastActiveAt: Date.now(),
    };
    this.#live.set(conversationId, live);
    this.#titleModels.set(conversationId, settingsLlm(this.#deps.config, settings));
    const log = this.#deps.logger.child({ conversation_id: conversationId });
    live.starting = (async () => {
      await this.#setLoopState(conversationId, 'running');
      const session = await bootAgentSession({
        ...this.#deps,
        conversationId,
        metadata,
        settings,
        logger: log,
        isCancelled: () => this.#live.get(conversationId) !== live,
        onRuntimeStatus: (status) => {
          live.runtimeStatus = status;
        },
        onSandbox: (sandboxId) => {
          live.sandboxId = sandboxId;
        },
        onStatus: (status) => this.#status(conversationId, status),
        onEvent: (event) => {
          live.lastActiveAt = Date.now();
          this.#activity.observe(conversationId, event);
        },
        onTextDelta: (text) => {
          for (const listener of this.#textListeners.get(conversationId) ?? []) listener(text);
        },
      });
      if (!session) return;
      live.controller = session.controller;
      await session.controller.start({
        restore: session.restore,
        resume: options.resume,
        initialMessage: options.initialMessage,
      });
      live.status = 'RUNNING';
      live.runtimeStatus = 'STATUS$READY';
      log.info({ sandbox_id: live.sandboxId }, 'conversation running');
      this.#status(conversationId, { type: 'info', id: 'STATUS$READY', message: 'ready' });
    })().catch(async (error: unknown) => {
      log.error({ err: error, sandbox_id: live.sandboxId }, 'conversation failed to start');
      this.#status(conversationId, {
        type: 'error',
        id: 'STATUS$ERROR_RUNTIME_DISCONNECTED',
        message: (error as Error).message,
      });
      if (this.#live.get(conversationId) === live) await this.#end(conversationId, 'stopped');
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

  /**
   * A client (socket, stream) follows the conversation: it is not idle while one does. Returns the release.
   */
  attachClient(conversationId: string): () => void {
    const touch = (delta: number) => {
      const count = Math.max(0, (this.#clients.get(conversationId) ?? 0) + delta);
      if (count) this.#clients.set(conversationId, count);
      else this.#clients.delete(conversationId);
      const live = this.#live.get(conversationId);
      if (live) live.lastActiveAt = Date.now();
    };
    touch(1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      touch(-1);
    };
  }

  /** Waits until a started conversation is running (or failed to start). */
  async ready(conversationId: string): Promise<void> {
    await this.#live.get(conversationId)?.starting;
  }

  /**
   * User input (reference §2.2 oh_user_action, §1.3 POST /message and /events). A conversation the server
   * paused (idle, or to make room) is started again first, on the same workspace, with its history; one the
   * user stopped stays stopped until it is started (CONVERSATION_NOT_RUNNING, as the reference's 500).
   */
  async submit(conversationId: string, event: DeftEvent): Promise<void> {
    if (!this.#live.has(conversationId)) {
      const metadata = await this.#deps.conversations.get(conversationId);
      if (metadata && metadata.loop_state !== 'stopped') await this.start(conversationId);
    }
    const live = this.#live.get(conversationId);
    await live?.starting;
    if (!live?.controller)
      throw new DeftError('CONVERSATION_NOT_RUNNING', `Conversation ${conversationId} is not running`);
    live.lastActiveAt = Date.now();
    await live.controller.submit(event);
  }

  /** Stops the loop and destroys the sandbox (the workspace stays). Returns the status before stopping. */
  stop(conversationId: string): Promise<ConversationStatus> {
    return this.#end(conversationId, 'stopped');
  }

  /** Stops a conversation that is about to be deleted (see removeConversation) and forgets it. */
  async delete(conversationId: string): Promise<void> {
    await this.stop(conversationId);
    this.#titleModels.delete(conversationId);
  }

  /** Pauses a running conversation: loop closed, sandbox destroyed, resumable on a message or a connect. */
  pause(conversationId: string): Promise<ConversationStatus> {
    return this.#end(conversationId, 'paused');
  }

  /** Sends the title-update message of reference §2.3 to the conversation's room. */
  announceTitle(conversationId: string, title: string): void {
    this.#deps.onRoomMessage?.(conversationId, {
      status_update: true,
      type: 'info',
      message: conversationId,
      conversation_title: title,
    });
  }

  /**
   * After a restart: the conversations whose loop was running come back (the most recently active first, up
   * to the limit; the rest are paused and resume on demand). A task that was mid-run carries on.
   */
  async recover(): Promise<{ resumed: string[]; paused: string[] }> {
    const ids = await this.#deps.conversations.idsByLoopState('running');
    const limit = this.#deps.config.conversations.max_running;
    const resumed: string[] = [];
    const paused: string[] = [];
    const settings = await this.#deps.settings.load();
    for (const id of ids) {
      if (!settings || resumed.length >= limit) {
        await this.#setLoopState(id, 'paused');
        paused.push(id);
        continue;
      }
      try {
        await this.start(id, { resume: true });
        resumed.push(id);
      } catch (error) {
        this.#deps.logger.warn({ conversation_id: id, err: error }, 'could not resume the conversation');
        await this.#setLoopState(id, 'paused');
        paused.push(id);
      }
    }
    if (ids.length) this.#deps.logger.info({ resumed: resumed.length, paused: paused.length }, 'recovered');
    return { resumed, paused };
  }

  /** Pauses conversations idle for `close_delay_s`: no clients, the agent not working, nothing happening. */
  async sweepIdle(now = Date.now()): Promise<string[]> {
    const delayMs = this.#deps.config.conversations.close_delay_s * 1000;
    if (delayMs <= 0) return [];
    const idle = [...this.#live.entries()]
      .filter(([id, live]) => !this.#clients.has(id) && isIdle(live) && now - live.lastActiveAt >= delayMs)
      .map(([id]) => id);
    for (const id of idle) {
      this.#deps.logger.info({ conversation_id: id }, 'pausing idle conversation');
      await this.pause(id);
    }
    return idle;
  }

  /** Shutdown: loops closed and sandboxes destroyed; `loop_state` stays, so a restart brings them back. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#sweeper) clearInterval(this.#sweeper);
    await Promise.all([...this.#live.keys()].map((id) => this.#end(id, null)));
    await this.#activity.close();
  }

  async #makeRoom(): Promise<void> {
    const limit = this.#deps.config.conversations.max_running;
    while (this.#live.size >= limit) {
      const candidates = [...this.#live.entries()]
        .filter(([, live]) => isIdle(live))
        .sort(([, a], [, b]) => a.lastActiveAt - b.lastActiveAt);
      const oldest = candidates[0];
      if (!oldest) {
        throw new DeftError(
          'TOO_MANY_CONVERSATIONS',
          `${this.#live.size} conversations are running and busy (limit ${limit}); try again when one is idle`,
        );
      }
      const [id] = oldest;
      this.#deps.logger.info(
        { conversation_id: id, limit },
        'pausing the least recently active conversation',
      );
      this.#deps.onRoomMessage?.(id, { status_update: true, ...TOO_MANY_CONVERSATIONS });
      await this.pause(id);
    }
  }

  /** Ends a loop; `next` is the loop state to record (null on shutdown: keep what is recorded). */
  async #end(conversationId: string, next: LoopState | null): Promise<ConversationStatus> {
    const live = this.#live.get(conversationId);
    if (!live) {
      if (next === 'stopped') await this.#setLoopState(conversationId, 'stopped');
      return 'STOPPED';
    }
    this.#live.delete(conversationId);
    await live.controller?.close();
    if (live.sandboxId) await this.#deps.sandboxes.destroy(live.sandboxId).catch(() => undefined);
    await this.#activity.flush(conversationId);
    if (next) await this.#setLoopState(conversationId, next);
    this.#deps.onRoomMessage?.(conversationId, SESSION_CLOSED);
    return live.status;
  }

  async #setLoopState(conversationId: string, state: LoopState): Promise<void> {
    await this.#deps.conversations.update(conversationId, { loop_state: state }).catch((error: unknown) => {
      if (!(error instanceof DeftError && error.code === 'CONVERSATION_NOT_FOUND')) throw error;
    });
  }

  #status(conversationId: string, status: StatusUpdate): void {
    this.#deps.onRoomMessage?.(conversationId, { status_update: true, ...status });
  }
}

/** A loop that may be paused without losing work: started, and its agent not in the middle of a task. */
function isIdle(live: Live): boolean {
  if (live.status !== 'RUNNING') return false;
  const state = live.controller?.state;
  return state !== 'running' && state !== 'loading' && state !== 'rate_limited';
}
