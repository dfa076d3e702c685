import { createObservation } from '@deft/protocol';
import type { RecallHandler } from '../controller/agent-controller.js';
import { loadMicroagents, type MicroagentSources, matchKnowledge } from './loader.js';
import type { Microagent } from './microagent.js';

export interface WorkspaceContext extends MicroagentSources {
  /** where the workspace is inside the sandbox */
  workingDir?: string;
  repoName?: string;
  repoBranch?: string;
  conversationInstructions?: string;
  runtimeHosts?: Record<string, number>;
  customSecretsDescriptions?: Record<string, string>;
  now?: () => Date;
}

/**
 * Answers `recall` actions (reference §3.6, §9.3): the first user message gets the workspace context (repo
 * instructions from repo microagents, date, working dir, hosts, secret names, triggered knowledge); later
 * messages get triggered knowledge only, or a null observation when nothing matches.
 */
export function createRecallHandler(
  context: WorkspaceContext,
): RecallHandler & { microagents(): Microagent[] } {
  let agents: Microagent[] | null = null;
  const microagents = () => (agents ??= loadMicroagents(context));
  const shown = new Set<string>();
  const handler = (async (action, { firstUserMessage }) => {
    const query = String(('args' in action ? (action.args as { query?: string }).query : '') ?? '');
    const knowledge = matchKnowledge(microagents(), query)
      .filter(({ agent }) => !shown.has(agent.name))
      .map(({ agent, trigger }) => {
        shown.add(agent.name);
        return { name: agent.name, trigger, content: agent.content };
      });
    if (firstUserMessage) {
      const repo = microagents().filter((agent) => agent.type === 'repo');
      return createObservation('recall', 'Added workspace context', {
        recall_type: 'workspace_context',
        repo_name: context.repoName ?? '',
        repo_directory: context.repoName ? (context.workingDir ?? '/workspace') : '',
        repo_branch: context.repoBranch ?? '',
        repo_instructions: repo.map((agent) => agent.content).join('\n\n'),
        runtime_hosts: context.runtimeHosts ?? {},
        date: (context.now?.() ?? new Date()).toISOString().slice(0, 10),
        custom_secrets_descriptions: context.customSecretsDescriptions ?? {},
        conversation_instructions: context.conversationInstructions ?? '',
        working_dir: context.workingDir ?? '/workspace',
        microagent_knowledge: knowledge,
      });
    }
    if (knowledge.length === 0) return createObservation('null', '');
    return createObservation('recall', 'Added microagent knowledge', {
      recall_type: 'knowledge',
      microagent_knowledge: knowledge,
    });
  }) as RecallHandler & { microagents(): Microagent[] };
  handler.microagents = microagents;
  return handler;
}
