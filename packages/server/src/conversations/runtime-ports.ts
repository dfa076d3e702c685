import type { ActionRunner, ConversationEventLog } from '@deft/agent';
import type { RuntimeClient } from '@deft/sandbox';
import type { EventLog } from '../events/index.js';

/** The agent's view of one conversation's log, over the server's EventLog. */
export function conversationLog(events: EventLog, conversationId: string): ConversationEventLog {
  return {
    append: (event) => events.append(conversationId, event),
    readAll: () => readAll(events, conversationId),
  };
}

async function* readAll(events: EventLog, conversationId: string) {
  const latest = await events.latestId(conversationId);
  for (let start = 0; start <= latest; start += 100) {
    const page = await events.search(conversationId, { start_id: start, end_id: latest, limit: 100 });
    yield* page.events;
  }
}

/** The agent's view of the sandbox: actions go to the runtime's /execute_action. */
export function sandboxRunner(client: RuntimeClient): ActionRunner {
  return { run: (action, options) => client.executeAction(action, { signal: options.signal }) };
}
