import { z } from 'zod';
import { SecurityRiskValue } from './envelope.js';

const risk = SecurityRiskValue.default(-1);
const thought = z.string().default('');
const confirmationState = z.enum(['confirmed', 'rejected', 'awaiting_confirmation']).default('confirmed');
const dict = z.record(z.string(), z.unknown());

/**
 * reference §3.2: the `args` of every action type with its defaults. Unknown keys are kept (looseObject) so an
 * event written by a newer peer survives a round trip.
 */
export const ACTION_ARGS = {
  message: z.looseObject({
    content: z.string().default(''),
    file_urls: z.array(z.string()).nullable().default([]),
    image_urls: z.array(z.string()).nullable().default([]),
    wait_for_response: z.boolean().default(false),
    security_risk: risk,
  }),
  system: z.looseObject({
    content: z.string().default(''),
    tools: z.array(dict).nullable().default(null),
    openhands_version: z.string().nullable().default(null),
    agent_class: z.string().nullable().default(null),
  }),
  run: z.looseObject({
    command: z.string().default(''),
    is_input: z.boolean().default(false),
    thought,
    blocking: z.boolean().default(false),
    is_static: z.boolean().default(false),
    cwd: z.string().nullable().default(null),
    hidden: z.boolean().default(false),
    confirmation_state: confirmationState,
    security_risk: risk,
  }),
  run_ipython: z.looseObject({
    code: z.string().default(''),
    thought,
    include_extra: z.boolean().default(true),
    confirmation_state: confirmationState,
    security_risk: risk,
    kernel_init_code: z.string().default(''),
  }),
  read: z.looseObject({
    path: z.string().default(''),
    start: z.number().int().default(0),
    end: z.number().int().default(-1),
    thought,
    security_risk: risk,
    impl_source: z.enum(['default', 'oh_aci']).default('default'),
    view_range: z.array(z.number().int()).nullable().default(null),
  }),
  write: z.looseObject({
    path: z.string().default(''),
    content: z.string().default(''),
    start: z.number().int().default(0),
    end: z.number().int().default(-1),
    thought,
    security_risk: risk,
  }),
  edit: z.looseObject({
    path: z.string().default(''),
    command: z.enum(['view', 'create', 'str_replace', 'insert', 'undo_edit', 'write', '']).default(''),
    file_text: z.string().nullable().default(null),
    old_str: z.string().nullable().default(null),
    new_str: z.string().nullable().default(null),
    insert_line: z.number().int().nullable().default(null),
    content: z.string().default(''),
    start: z.number().int().default(1),
    end: z.number().int().default(-1),
    thought,
    security_risk: risk,
    impl_source: z.enum(['oh_aci', 'llm_based_edit']).default('oh_aci'),
  }),
  browse: z.looseObject({
    url: z.string().default(''),
    thought,
    security_risk: risk,
    return_axtree: z.boolean().default(false),
  }),
  browse_interactive: z.looseObject({
    browser_actions: z.string().default(''),
    thought,
    browsergym_send_msg_to_user: z.string().default(''),
    security_risk: risk,
    return_axtree: z.boolean().default(false),
  }),
  call_tool_mcp: z.looseObject({
    name: z.string().default(''),
    arguments: dict.default({}),
    thought,
    security_risk: risk,
  }),
  think: z.looseObject({ thought }),
  finish: z.looseObject({ final_thought: z.string().default(''), outputs: dict.default({}), thought }),
  reject: z.looseObject({ outputs: dict.default({}), thought }),
  delegate: z.looseObject({ agent: z.string().default(''), inputs: dict.default({}), thought }),
  recall: z.looseObject({
    recall_type: z.enum(['workspace_context', 'knowledge']).default('workspace_context'),
    query: z.string().default(''),
    thought,
  }),
  change_agent_state: z.looseObject({ agent_state: z.string().default(''), thought }),
  condensation: z.looseObject({
    forgotten_event_ids: z.array(z.number().int()).nullable().default(null),
    forgotten_events_start_id: z.number().int().nullable().default(null),
    forgotten_events_end_id: z.number().int().nullable().default(null),
    summary: z.string().nullable().default(null),
    summary_offset: z.number().int().nullable().default(null),
  }),
  condensation_request: z.looseObject({}),
  task_tracking: z.looseObject({
    command: z.enum(['view', 'plan']).default('view'),
    task_list: z
      .array(
        z.looseObject({
          id: z.string().default(''),
          title: z.string().default(''),
          status: z.enum(['todo', 'in_progress', 'done']).default('todo'),
          notes: z.string().default(''),
        }),
      )
      .default([]),
    thought,
  }),
  loop_recovery: z.looseObject({ option: z.number().int().min(1).max(3).default(1) }),
  null: z.looseObject({}),
} as const;

export type ActionType = keyof typeof ACTION_ARGS;
export const ACTION_TYPES = Object.keys(ACTION_ARGS) as ActionType[];
export type ActionArgs<T extends ActionType> = z.output<(typeof ACTION_ARGS)[T]>;

export function isActionType(value: unknown): value is ActionType {
  return typeof value === 'string' && Object.hasOwn(ACTION_ARGS, value);
}

/** reference §3.2: the top-level `message` each action type carries. */
export function actionMessage<T extends ActionType>(type: T, args: ActionArgs<T>): string {
  const a = args as Record<string, unknown>;
  switch (type) {
    case 'message':
    case 'system':
      return String(a.content ?? '');
    case 'run':
      return `Running command: ${a.command}`;
    case 'run_ipython':
      return `Running Python code interactively: ${a.code}`;
    case 'read':
      return `Reading file: ${a.path}`;
    case 'write':
      return `Writing file: ${a.path}`;
    case 'browse':
      return `I am browsing the URL: ${a.url}`;
    case 'browse_interactive':
      return `I am interacting with the browser:\n\`\`\`\n${a.browser_actions}\n\`\`\``;
    case 'call_tool_mcp':
      return `I am interacting with the MCP server with name:\n\`\`\`\n${a.name}\n\`\`\`\nand arguments:\n\`\`\`\n${JSON.stringify(a.arguments)}\n\`\`\``;
    case 'think':
      return `I am thinking...: ${a.thought}`;
    case 'finish':
      return a.thought ? String(a.thought) : "All done! What's next on the agenda?";
    case 'reject': {
      const reason = (a.outputs as Record<string, unknown> | undefined)?.reason;
      return reason ? `Task is rejected by the agent. Reason: ${reason}` : 'Task is rejected by the agent.';
    }
    case 'delegate':
      return `I'm asking ${a.agent} for help with this task.`;
    case 'recall':
      return `Retrieving content for: ${String(a.query ?? '').slice(0, 50)}`;
    case 'change_agent_state':
      return `Agent state changed to ${a.agent_state}`;
    case 'condensation':
      if (a.summary) return `Summary: ${a.summary}`;
      return `Condenser is dropping the events: [${forgottenIds(a).join(', ')}]`;
    case 'condensation_request':
      return 'Requesting a condensation of the conversation history.';
    case 'task_tracking': {
      const count = Array.isArray(a.task_list) ? a.task_list.length : 0;
      return count > 0 ? `Managing ${count} task items.` : 'Clearing the task list.';
    }
    case 'null':
      return 'No action';
    default:
      return '';
  }
}

function forgottenIds(args: Record<string, unknown>): number[] {
  if (Array.isArray(args.forgotten_event_ids)) return args.forgotten_event_ids as number[];
  const start = args.forgotten_events_start_id;
  const end = args.forgotten_events_end_id;
  if (typeof start !== 'number' || typeof end !== 'number') return [];
  return Array.from({ length: Math.max(0, end - start + 1) }, (_, i) => start + i);
}
