import { z } from 'zod';

const dict = z.record(z.string(), z.unknown());

/** reference §4.3: the metadata of a `run` observation. */
export const CmdOutputMetadata = z.looseObject({
  exit_code: z.number().int().default(-1),
  pid: z.number().int().default(-1),
  username: z.string().nullable().default(null),
  hostname: z.string().nullable().default(null),
  working_dir: z.string().nullable().default(null),
  py_interpreter_path: z.string().nullable().default(null),
  prefix: z.string().default(''),
  suffix: z.string().default(''),
});
export type CmdOutputMetadata = z.infer<typeof CmdOutputMetadata>;

const empty = z.looseObject({});

/** reference §3.3: the `extras` of every observation type with its defaults. */
export const OBSERVATION_EXTRAS = {
  run: z.looseObject({
    command: z.string().default(''),
    metadata: CmdOutputMetadata.prefault({}),
    hidden: z.boolean().default(false),
  }),
  run_ipython: z.looseObject({
    code: z.string().default(''),
    image_urls: z.array(z.string()).nullable().default(null),
  }),
  browse: z.looseObject({
    url: z.string().default(''),
    trigger_by_action: z.string().default('browse'),
    screenshot: z.string().default(''),
    screenshot_path: z.string().nullable().default(null),
    set_of_marks: z.string().default(''),
    error: z.boolean().default(false),
    goal_image_urls: z.array(z.unknown()).default([]),
    open_pages_urls: z.array(z.string()).default([]),
    active_page_index: z.number().int().default(-1),
    dom_object: dict.default({}),
    axtree_object: dict.default({}),
    extra_element_properties: dict.default({}),
    last_browser_action: z.string().default(''),
    last_browser_action_error: z.string().default(''),
    focused_element_bid: z.string().default(''),
    filter_visible_only: z.boolean().default(false),
  }),
  read: z.looseObject({ path: z.string().default(''), impl_source: z.string().default('default') }),
  write: z.looseObject({ path: z.string().default('') }),
  edit: z.looseObject({
    path: z.string().default(''),
    prev_exist: z.boolean().default(false),
    old_content: z.string().nullable().default(null),
    new_content: z.string().nullable().default(null),
    impl_source: z.string().default('oh_aci'),
    diff: z.string().nullable().default(null),
    _diff_cache: z.unknown().default(null),
  }),
  error: z.looseObject({ error_id: z.string().default('') }),
  agent_state_changed: z.looseObject({ agent_state: z.string().default(''), reason: z.string().default('') }),
  recall: z.looseObject({
    recall_type: z.enum(['workspace_context', 'knowledge']).default('workspace_context'),
    repo_name: z.string().default(''),
    repo_directory: z.string().default(''),
    repo_branch: z.string().default(''),
    repo_instructions: z.string().default(''),
    runtime_hosts: z.record(z.string(), z.number()).default({}),
    additional_agent_instructions: z.string().default(''),
    date: z.string().default(''),
    custom_secrets_descriptions: z.record(z.string(), z.string()).default({}),
    conversation_instructions: z.string().default(''),
    working_dir: z.string().default(''),
    microagent_knowledge: z
      .array(z.looseObject({ name: z.string(), trigger: z.string(), content: z.string() }))
      .default([]),
  }),
  think: empty,
  delegate: z.looseObject({ outputs: dict.default({}) }),
  success: empty,
  user_rejected: empty,
  condense: empty,
  loop_detection: empty,
  null: empty,
  mcp: z.looseObject({ name: z.string().default(''), arguments: dict.default({}) }),
  download: z.looseObject({ file_path: z.string().default('') }),
  task_tracking: z.looseObject({ command: z.string().default(''), task_list: z.array(dict).default([]) }),
} as const;

export type ObservationType = keyof typeof OBSERVATION_EXTRAS;
export const OBSERVATION_TYPES = Object.keys(OBSERVATION_EXTRAS) as ObservationType[];
export type ObservationExtras<T extends ObservationType> = z.output<(typeof OBSERVATION_EXTRAS)[T]>;

export function isObservationType(value: unknown): value is ObservationType {
  return typeof value === 'string' && Object.hasOwn(OBSERVATION_EXTRAS, value);
}

/** reference §3.3: run and run_ipython observations carry a top-level `success`. */
export function observationSuccess<T extends ObservationType>(
  type: T,
  extras: ObservationExtras<T>,
): boolean | undefined {
  if (type === 'run') return (extras as ObservationExtras<'run'>).metadata.exit_code === 0;
  if (type === 'run_ipython') return true;
  return undefined;
}

/** reference §3.3: the top-level `message` each observation type carries. */
export function observationMessage<T extends ObservationType>(
  type: T,
  content: string,
  extras: ObservationExtras<T>,
): string {
  const e = extras as Record<string, unknown>;
  switch (type) {
    case 'run':
      return `Command \`${e.command}\` executed with exit code ${(extras as ObservationExtras<'run'>).metadata.exit_code}.`;
    case 'run_ipython':
      return 'Code executed in IPython cell.';
    case 'browse':
      return `Visited ${e.url}`;
    case 'read':
      return `I read the file ${e.path}.`;
    case 'write':
      return `I wrote to the file ${e.path}.`;
    case 'edit':
      return `I edited the file ${e.path}.`;
    case 'recall':
      return e.recall_type === 'knowledge' ? 'Added microagent knowledge' : 'Added workspace context';
    case 'agent_state_changed':
    case 'delegate':
      return '';
    case 'null':
      return 'No observation';
    case 'download':
      return `Downloaded the file at location: ${e.file_path}`;
    default:
      return content;
  }
}
