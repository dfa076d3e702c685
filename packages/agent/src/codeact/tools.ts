import type { LlmToolDefinition } from '../llm/client.js';

const securityRisk = {
  type: 'string',
  enum: ['LOW', 'MEDIUM', 'HIGH'],
  description:
    'How risky the action is: LOW for reading, MEDIUM for changing the workspace, HIGH for anything that could harm the system or data outside it.',
};

/** reference §9.1: the CodeAct tools and their parameter schemas; descriptions are our own words. */
export const CODEACT_TOOLS: LlmToolDefinition[] = [
  {
    name: 'execute_bash',
    description:
      'Run a bash command in the persistent shell of the sandbox (working directory /workspace). State such as the current directory and exported variables carries over between calls. Run one command per call; chain with && or ;. A command that prints nothing for a while returns what it has so far: send an empty command to keep waiting, set is_input to "true" to type into the running process, or send C-c to interrupt it. Use timeout (seconds) for long commands.',
    parameters: {
      type: 'object',
      properties: {
        command: {
          type: 'string',
          description:
            'The bash command, or with is_input "true" the text / key (C-c, C-d, C-z) for the running process.',
        },
        is_input: {
          type: 'string',
          enum: ['true', 'false'],
          description: 'Whether the command is input for the running process.',
        },
        timeout: {
          type: 'number',
          description: 'Hard time limit in seconds; the command is stopped when it is reached.',
        },
        security_risk: securityRisk,
      },
      required: ['command', 'security_risk'],
    },
  },
  {
    name: 'str_replace_editor',
    description:
      'View, create and edit files with absolute paths. view shows a file with line numbers (optionally a view_range [start, end]) or lists a directory two levels deep; create writes a new file (never overwrites); str_replace replaces old_str, which must occur exactly once, with new_str; insert adds new_str after line insert_line (0 for the top); undo_edit reverts the last edit of a file.',
    parameters: {
      type: 'object',
      properties: {
        command: {
          type: 'string',
          enum: ['view', 'create', 'str_replace', 'insert', 'undo_edit'],
          description: 'The editor command.',
        },
        path: {
          type: 'string',
          description: 'Absolute path of the file or directory, e.g. /workspace/app.py.',
        },
        file_text: { type: 'string', description: 'Content of the file to create.' },
        old_str: { type: 'string', description: 'Exact text to replace (str_replace).' },
        new_str: {
          type: 'string',
          description: 'Replacement text (str_replace) or text to insert (insert).',
        },
        insert_line: { type: 'integer', description: 'Line after which new_str is inserted (insert).' },
        view_range: {
          type: 'array',
          items: { type: 'integer' },
          description: 'Lines [start, end] to view; end -1 means to the end of the file.',
        },
        security_risk: securityRisk,
      },
      required: ['command', 'path', 'security_risk'],
    },
  },
  {
    name: 'think',
    description:
      'Write down reasoning or a plan without acting. Use it to work through a problem before changing anything.',
    parameters: {
      type: 'object',
      properties: { thought: { type: 'string', description: 'The thought.' } },
      required: ['thought'],
    },
  },
  {
    name: 'finish',
    description:
      'Say the task is done, with a short summary of what was done and anything the user should know.',
    parameters: {
      type: 'object',
      properties: { message: { type: 'string', description: 'Final message to the user.' } },
      required: ['message'],
    },
  },
  {
    name: 'task_tracker',
    description: 'Keep a task list for multi-step work: plan replaces the list, view shows it.',
    parameters: {
      type: 'object',
      properties: {
        command: { type: 'string', enum: ['view', 'plan'], description: 'view or plan.' },
        task_list: {
          type: 'array',
          description: 'The full task list (plan).',
          items: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              title: { type: 'string' },
              status: { type: 'string', enum: ['todo', 'in_progress', 'done'] },
              notes: { type: 'string' },
            },
            required: ['id', 'title', 'status'],
          },
        },
      },
      required: ['command'],
    },
  },
];

/** The OpenAI tool dicts stored in the `system` event (reference §3.2 system.args.tools). */
export function openAiToolDicts(tools: LlmToolDefinition[]): Record<string, unknown>[] {
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  }));
}
