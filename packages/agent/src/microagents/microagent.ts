import { parse as parseYaml } from 'yaml';

/** reference §9.3: a microagent — markdown with optional YAML frontmatter. */
export interface Microagent {
  name: string;
  type: 'repo' | 'knowledge' | 'task';
  content: string;
  triggers: string[];
  inputs: { name: string; description: string }[];
  version: string;
  agent: string;
  source: string;
}

/** Parses one microagent file; `fallbackName` (the file name) names it when the frontmatter does not. */
export function parseMicroagent(text: string, fallbackName: string, source: string): Microagent {
  let body = text;
  let front: Record<string, unknown> = {};
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  if (match) {
    try {
      const parsed = parseYaml(match[1]!) as unknown;
      if (parsed && typeof parsed === 'object') front = parsed as Record<string, unknown>;
    } catch {
      // Malformed frontmatter: treat the file as plain content rather than failing the conversation.
    }
    body = text.slice(match[0].length);
  }
  const triggers = Array.isArray(front.triggers) ? front.triggers.map(String).filter(Boolean) : [];
  const inputs = Array.isArray(front.inputs)
    ? (front.inputs as { name?: unknown; description?: unknown }[]).map((input) => ({
        name: String(input.name ?? ''),
        description: String(input.description ?? ''),
      }))
    : [];
  const name = typeof front.name === 'string' && front.name ? front.name : fallbackName;
  const declared =
    front.type === 'repo' || front.type === 'knowledge' || front.type === 'task' ? front.type : null;
  const type = declared ?? (inputs.length ? 'task' : triggers.length ? 'knowledge' : 'repo');
  if (type === 'task' && !triggers.includes(`/${name}`)) triggers.push(`/${name}`);
  return {
    name,
    type,
    content: body.trim(),
    triggers,
    inputs,
    version: typeof front.version === 'string' ? front.version : '1.0.0',
    agent: typeof front.agent === 'string' ? front.agent : 'CodeActAgent',
    source,
  };
}

/** The GET /api/conversations/{id}/microagents item shape (reference §1.3). */
export function toApiMicroagent(agent: Microagent): {
  name: string;
  type: string;
  content: string;
  triggers: string[];
  inputs: { name: string; description: string }[];
  tools: string[];
} {
  return {
    name: agent.name,
    type: agent.type === 'task' ? 'knowledge' : agent.type,
    content: agent.content,
    triggers: agent.triggers,
    inputs: agent.inputs,
    tools: [],
  };
}
