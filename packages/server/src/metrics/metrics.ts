import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Deft's Prometheus metrics (issue 5 item 7), one registry per server so tests never share counters. */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly requestDuration = new Histogram({
    name: 'deft_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly eventsAppended = new Counter({
    name: 'deft_events_appended_total',
    help: 'Events committed to the event log',
    registers: [this.registry],
  });
  readonly llmCalls = new Counter({
    name: 'deft_llm_calls_total',
    help: 'LLM calls',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly llmTokens = new Counter({
    name: 'deft_llm_tokens_total',
    help: 'LLM tokens',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly llmCost = new Counter({
    name: 'deft_llm_cost_usd_total',
    help: 'LLM cost in USD (known models only)',
    registers: [this.registry],
  });
  readonly socketConnections = new Gauge({
    name: 'deft_socket_connections',
    help: 'Open Socket.IO and stream connections',
    registers: [this.registry],
  });

  constructor(sources: { runningConversations: () => number; sandboxes: () => Promise<number> }) {
    new Gauge({
      name: 'deft_conversations_running',
      help: 'Conversations with a live agent loop in this process',
      registers: [this.registry],
      collect() {
        this.set(sources.runningConversations());
      },
    });
    new Gauge({
      name: 'deft_sandboxes',
      help: 'Sandboxes owned by this process',
      registers: [this.registry],
      async collect() {
        this.set(await sources.sandboxes());
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'deft_' });
  }
}
