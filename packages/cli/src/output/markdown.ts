import type { ConversationMetadata } from '@deft/server';
import { describeEvent, type EventJson } from './event-text.js';

/** A conversation as a Markdown transcript: messages as text, commands and output as fenced blocks. */
export function conversationMarkdown(metadata: ConversationMetadata, events: EventJson[]): string {
  const parts: string[] = [
    `# ${metadata.title}`,
    '',
    `- conversation: \`${metadata.conversation_id}\``,
    `- created: ${metadata.created_at}`,
    `- model: ${metadata.llm_model ?? 'none'}`,
    `- cost: $${metadata.accumulated_cost.toFixed(4)} (${metadata.total_tokens} tokens)`,
    '',
  ];
  for (const event of events) {
    const line = describeEvent(event);
    if (!line) continue;
    switch (line.kind) {
      case 'user':
        parts.push('## User', '', line.text, '');
        break;
      case 'agent':
        parts.push('## Agent', '', line.text, '');
        break;
      case 'command':
        parts.push(fence('console', `$ ${line.text}`));
        break;
      case 'output':
        if (line.block) parts.push(fence(line.block.startsWith('---') ? 'diff' : 'text', line.block));
        if (line.text) parts.push(`_${line.text}_`, '');
        break;
      case 'file':
        parts.push(`**${line.text}**`, '');
        break;
      case 'thought':
        parts.push(`> ${line.text.replace(/\n/g, '\n> ')}`, '');
        break;
      case 'error':
        parts.push(`**Error:** ${line.text}`, '');
        break;
      case 'finish':
        parts.push('## Finished', '', line.text, '');
        break;
    }
  }
  return `${parts.join('\n').trimEnd()}\n`;
}

/** A fenced block long enough never to be closed by backticks inside the text. */
function fence(language: string, text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const marks = '`'.repeat(longest + 1);
  return `${marks}${language}\n${text}\n${marks}\n`;
}
