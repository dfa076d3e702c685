import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { builtinMicroagents } from './builtin.js';
import { type Microagent, parseMicroagent } from './microagent.js';

export interface MicroagentSources {
  /** the conversation's workspace directory on the host */
  workspaceDir?: string;
  /** `$DEFT_HOME/microagents` */
  userDir?: string;
  includeBuiltin?: boolean;
}

const MAX_FILE_BYTES = 256 * 1024;
const REPO_ROOT_FILES = ['AGENTS.md', 'agents.md', 'AGENT.md', 'agent.md', '.cursorrules'];

/**
 * reference §9.3: repo microagents (always on) from the workspace — `.openhands/microagents/repo.md`, files
 * there without triggers, root AGENTS.md / .cursorrules — and knowledge microagents (triggered) from the
 * workspace, the user's directory and the built-in set. A later source overrides an earlier one by name.
 */
export function loadMicroagents(sources: MicroagentSources): Microagent[] {
  const byName = new Map<string, Microagent>();
  const add = (agent: Microagent) => byName.set(`${agent.type}:${agent.name}`, agent);
  if (sources.includeBuiltin !== false) builtinMicroagents().forEach(add);
  if (sources.userDir)
    for (const file of markdownFiles(sources.userDir)) add(read(file, sources.userDir, 'user'));
  if (sources.workspaceDir) {
    const dir = join(sources.workspaceDir, '.openhands', 'microagents');
    for (const file of markdownFiles(dir)) add(read(file, dir, 'workspace'));
    for (const name of REPO_ROOT_FILES) {
      const file = join(sources.workspaceDir, name);
      if (existsSync(file) && statSync(file).isFile() && statSync(file).size <= MAX_FILE_BYTES) {
        const agent = parseMicroagent(readFileSync(file, 'utf8'), name, `workspace:${name}`);
        add({ ...agent, type: 'repo', triggers: [] });
      }
    }
  }
  return [...byName.values()];
}

/** Knowledge microagents whose trigger appears (case-insensitive) in the text, each once. */
export function matchKnowledge(agents: Microagent[], text: string): { agent: Microagent; trigger: string }[] {
  const lower = text.toLowerCase();
  const found: { agent: Microagent; trigger: string }[] = [];
  for (const agent of agents) {
    if (agent.type === 'repo') continue;
    const trigger = agent.triggers.find((candidate) => lower.includes(candidate.toLowerCase()));
    if (trigger) found.push({ agent, trigger });
  }
  return found;
}

function markdownFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...markdownFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.md') && statSync(path).size <= MAX_FILE_BYTES)
      files.push(path);
  }
  return files.sort();
}

function read(file: string, root: string, source: string): Microagent {
  const name = relative(root, file).replace(/\.md$/, '');
  const agent = parseMicroagent(readFileSync(file, 'utf8'), name, `${source}:${name}`);
  return basename(file) === 'repo.md' ? { ...agent, type: 'repo', triggers: [] } : agent;
}
