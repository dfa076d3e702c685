// How one stored event reads as text: the progress lines of `deft run`, `deft conversations show` and the
// Markdown export all come from here, so they tell the same story.

import { readableReason } from './reasons.js';

// biome-ignore lint/suspicious/noExplicitAny: events arrive as JSON from the log; fields are read defensively
export type EventJson = Record<string, any>;

export type EventLineKind = 'user' | 'agent' | 'command' | 'output' | 'file' | 'thought' | 'error' | 'finish';

export interface EventLine {
  kind: EventLineKind;
  text: string;
  /** a block of program output or a diff, shown verbatim */
  block?: string;
}

/** The lines an event contributes, or null for events a reader does not need (recalls, state changes…). */
export function describeEvent(event: EventJson, options: { maxOutputLines?: number } = {}): EventLine | null {
  const maxLines = options.maxOutputLines ?? Number.POSITIVE_INFINITY;
  const args = event.args ?? {};
  const extras = event.extras ?? {};
  if (event.action === 'message') {
    const content = String(args.content ?? event.message ?? '');
    return event.source === 'user' ? { kind: 'user', text: content } : { kind: 'agent', text: content };
  }
  if (event.action === 'run' || event.action === 'run_ipython') {
    return { kind: 'command', text: String(args.command ?? args.code ?? '') };
  }
  if (event.observation === 'run' || event.observation === 'run_ipython') {
    const exitCode = extras.metadata?.exit_code;
    const output = clip(String(event.content ?? '').replace(/\s+$/, ''), maxLines);
    return {
      kind: 'output',
      text: typeof exitCode === 'number' && exitCode !== 0 ? `exit code ${exitCode}` : '',
      block: output,
    };
  }
  if (event.action === 'edit' || event.action === 'write') {
    const verb = args.command === 'create' || event.action === 'write' ? 'write' : 'edit';
    return { kind: 'file', text: `${verb} ${args.path ?? ''}` };
  }
  if (event.action === 'read') return { kind: 'file', text: `read ${args.path ?? ''}` };
  if (event.observation === 'edit' && extras.diff) {
    return { kind: 'output', text: '', block: clip(String(extras.diff).replace(/\s+$/, ''), maxLines) };
  }
  if (event.action === 'think') return { kind: 'thought', text: String(args.thought ?? '') };
  if (event.action === 'finish') {
    return { kind: 'finish', text: String(args.final_thought || args.thought || event.message || 'done') };
  }
  if (event.observation === 'error') return { kind: 'error', text: String(event.content ?? '') };
  if (event.observation === 'agent_state_changed' && extras.agent_state === 'error' && extras.reason) {
    return { kind: 'error', text: readableReason(String(extras.reason)) };
  }
  return null;
}

function clip(text: string, maxLines: number): string {
  const lines = text.split('\n');
  if (lines.length <= maxLines) return text;
  const head = Math.ceil(maxLines / 2);
  const tail = maxLines - head;
  return [
    ...lines.slice(0, head),
    `… ${lines.length - maxLines} more lines …`,
    ...(tail > 0 ? lines.slice(-tail) : []),
  ].join('\n');
}
