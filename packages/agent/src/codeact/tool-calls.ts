import {
  type ActionEvent,
  createAction,
  createObservation,
  DeftError,
  type ObservationEvent,
  SecurityRisk,
  type ToolCallMetadata,
} from '@deft/protocol';
import type { LlmResponse, LlmToolCall } from '../llm/client.js';

const RISK: Record<string, number> = {
  LOW: SecurityRisk.LOW,
  MEDIUM: SecurityRisk.MEDIUM,
  HIGH: SecurityRisk.HIGH,
};

export interface ConvertedResponse {
  actions: ActionEvent[];
  /** Error observations for malformed calls; each answers its call (tool_call_metadata), so the model sees why. */
  errors: ObservationEvent[];
}

class ToolCallError extends Error {}

/**
 * reference §9.1: tool calls → actions, each with tool_call_metadata; the assistant text becomes the first
 * action's thought; a response without tool calls becomes a message that waits for the user.
 */
export function convertResponse(response: LlmResponse): ConvertedResponse {
  if (response.toolCalls.length === 0) {
    return {
      actions: [
        createAction('message', { content: response.text, wait_for_response: true }, { source: 'agent' }),
      ],
      errors: [],
    };
  }
  const actions: ActionEvent[] = [];
  const errors: ObservationEvent[] = [];
  response.toolCalls.forEach((call, index) => {
    const metadata: ToolCallMetadata = {
      function_name: call.name,
      tool_call_id: call.id,
      model_response: response.raw,
      total_calls_in_response: response.toolCalls.length,
    };
    try {
      const action = toActionChecked(call, index === 0 ? response.text : '');
      actions.push({ ...action, source: 'agent', tool_call_metadata: metadata } as ActionEvent);
    } catch (error) {
      if (!(error instanceof ToolCallError)) throw error;
      errors.push({
        ...createObservation('error', error.message, { error_id: '' }),
        source: 'agent',
        tool_call_metadata: metadata,
      } as ObservationEvent);
    }
  });
  return { actions, errors };
}

function toActionChecked(call: LlmToolCall, thought: string): ActionEvent {
  try {
    return toAction(call, thought);
  } catch (error) {
    if (error instanceof ToolCallError) throw error;
    if (error instanceof DeftError)
      throw new ToolCallError(`Invalid arguments in tool call ${call.name}: ${error.message}`);
    throw error;
  }
}

function toAction(call: LlmToolCall, thought: string): ActionEvent {
  let args: Record<string, unknown>;
  try {
    const parsed = JSON.parse(call.arguments || '{}') as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    args = parsed as Record<string, unknown>;
  } catch {
    throw new ToolCallError(`Failed to parse tool call arguments: ${call.arguments}`);
  }
  const requireArg = (name: string) => {
    if (args[name] === undefined || args[name] === null)
      throw new ToolCallError(`Missing required argument "${name}" in tool call ${call.name}`);
    return args[name];
  };
  const risk =
    typeof args.security_risk === 'string'
      ? (RISK[args.security_risk.toUpperCase()] ?? SecurityRisk.UNKNOWN)
      : SecurityRisk.UNKNOWN;
  switch (call.name) {
    case 'execute_bash': {
      const command = String(requireArg('command'));
      const timeout = args.timeout === undefined || args.timeout === null ? undefined : Number(args.timeout);
      if (timeout !== undefined && !(timeout > 0))
        throw new ToolCallError(`Invalid float passed to 'timeout' argument: ${args.timeout}`);
      return createAction(
        'run',
        {
          command,
          is_input: args.is_input === 'true' || args.is_input === true,
          thought,
          blocking: timeout !== undefined,
          security_risk: risk,
        },
        timeout !== undefined ? { timeout } : {},
      );
    }
    case 'str_replace_editor': {
      const command = String(requireArg('command'));
      const path = String(requireArg('path'));
      if (command === 'view') {
        const viewRange = Array.isArray(args.view_range) ? (args.view_range as number[]) : null;
        return createAction('read', {
          path,
          impl_source: 'oh_aci',
          view_range: viewRange,
          thought,
          security_risk: risk,
        });
      }
      if (!['create', 'str_replace', 'insert', 'undo_edit'].includes(command)) {
        throw new ToolCallError(
          `Unrecognized command ${command}. The allowed commands for the oh_editor tool are: view, create, str_replace, insert, undo_edit`,
        );
      }
      const known = new Set([
        'command',
        'path',
        'file_text',
        'old_str',
        'new_str',
        'insert_line',
        'view_range',
        'security_risk',
      ]);
      const unknown = Object.keys(args).filter((key) => !known.has(key));
      if (unknown.length)
        throw new ToolCallError(`Unexpected argument(s) ${unknown.join(', ')} in tool call ${call.name}`);
      const insertLine =
        args.insert_line === undefined || args.insert_line === null ? null : Number(args.insert_line);
      return createAction('edit', {
        path,
        command: command as never,
        file_text: typeof args.file_text === 'string' ? args.file_text : null,
        old_str: typeof args.old_str === 'string' ? args.old_str : null,
        new_str: typeof args.new_str === 'string' ? args.new_str : null,
        insert_line: insertLine !== null && Number.isInteger(insertLine) ? insertLine : null,
        thought,
        security_risk: risk,
        impl_source: 'oh_aci',
      });
    }
    case 'think':
      return createAction('think', { thought: String(requireArg('thought')) });
    case 'finish':
      return createAction('finish', { final_thought: String(requireArg('message')), thought });
    case 'task_tracker': {
      const command = String(requireArg('command'));
      if (command !== 'view' && command !== 'plan')
        throw new ToolCallError(`Invalid command "${command}" in tool call task_tracker: use view or plan`);
      const list = Array.isArray(args.task_list) ? args.task_list : [];
      return createAction('task_tracking', { command, task_list: list as never, thought });
    }
    default:
      throw new ToolCallError(
        `Tool ${call.name} is not registered. (arguments: ${call.arguments}). Please check the tool name and retry with an existing tool.`,
      );
  }
}
