import type { ObservationEvent } from '@deft/protocol';

const TRUNCATED = '\n[... Observation truncated due to length ...]\n';

/** reference §4.3 to_agent_observation for `run`; other observations are their content. Middle-truncated. */
export function formatObservation(observation: ObservationEvent, maxChars: number): string {
  let text = observation.content;
  if (observation.observation === 'run') {
    const metadata =
      (
        observation.extras as {
          metadata?: {
            prefix?: string;
            suffix?: string;
            working_dir?: string;
            py_interpreter_path?: string;
            exit_code?: number;
          };
        }
      ).metadata ?? {};
    text = `${metadata.prefix ?? ''}${observation.content}${metadata.suffix ?? ''}`;
    if (metadata.working_dir) text += `\n[Current working directory: ${metadata.working_dir}]`;
    if (metadata.py_interpreter_path) text += `\n[Python interpreter: ${metadata.py_interpreter_path}]`;
    if (metadata.exit_code !== undefined && metadata.exit_code !== -1)
      text += `\n[Command finished with exit code ${metadata.exit_code}]`;
  } else if (observation.observation === 'error') {
    text = `ERROR: ${observation.content}`.replace(/^ERROR: ERROR:/, 'ERROR:');
  }
  if (text.length <= maxChars) return text;
  const half = Math.floor((maxChars - TRUNCATED.length) / 2);
  return text.slice(0, half) + TRUNCATED + text.slice(text.length - half);
}

/** The workspace context or triggered knowledge of a `recall` observation, as text for the model. */
export function renderRecall(observation: ObservationEvent): string {
  const extras = observation.extras as {
    recall_type?: string;
    repo_name?: string;
    repo_directory?: string;
    repo_branch?: string;
    repo_instructions?: string;
    date?: string;
    working_dir?: string;
    conversation_instructions?: string;
    additional_agent_instructions?: string;
    runtime_hosts?: Record<string, number>;
    custom_secrets_descriptions?: Record<string, string>;
    microagent_knowledge?: { name: string; trigger: string; content: string }[];
  };
  const parts: string[] = [];
  if (extras.recall_type === 'workspace_context') {
    const lines = ['<WORKSPACE_CONTEXT>'];
    if (extras.working_dir) lines.push(`Working directory: ${extras.working_dir}`);
    if (extras.repo_name)
      lines.push(
        `Repository: ${extras.repo_name}${extras.repo_branch ? ` (branch ${extras.repo_branch})` : ''} in ${extras.repo_directory || extras.working_dir}`,
      );
    if (extras.date) lines.push(`Today's date: ${extras.date}`);
    const hosts = Object.keys(extras.runtime_hosts ?? {});
    if (hosts.length) lines.push(`Ports you can serve web apps on: ${hosts.join(', ')}`);
    const secrets = Object.entries(extras.custom_secrets_descriptions ?? {});
    if (secrets.length)
      lines.push(
        `Secrets available as environment variables: ${secrets.map(([name, description]) => `${name}${description ? ` (${description})` : ''}`).join(', ')}`,
      );
    lines.push('</WORKSPACE_CONTEXT>');
    parts.push(lines.join('\n'));
    if (extras.repo_instructions)
      parts.push(`<REPOSITORY_INSTRUCTIONS>\n${extras.repo_instructions}\n</REPOSITORY_INSTRUCTIONS>`);
    if (extras.conversation_instructions)
      parts.push(`<TASK_INSTRUCTIONS>\n${extras.conversation_instructions}\n</TASK_INSTRUCTIONS>`);
    if (extras.additional_agent_instructions) parts.push(extras.additional_agent_instructions);
  }
  for (const knowledge of extras.microagent_knowledge ?? []) {
    parts.push(
      `<EXTRA_INFO>\nThe following information was retrieved because the user mentioned "${knowledge.trigger}":\n${knowledge.content}\n</EXTRA_INFO>`,
    );
  }
  return parts.join('\n\n');
}
