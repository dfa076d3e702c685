import { writeFileSync } from 'node:fs';
import { type ConversationMetadata, type LocalStores, openLocalStores } from '@deft/server';
import type { Command } from 'commander';
import { type ConfigFlags, configFrom, withConfigFlags } from '../config-flags.js';
import { CliError } from '../errors.js';
import { describeEvent, type EventJson } from '../output/event-text.js';
import { conversationMarkdown } from '../output/markdown.js';
import { TerminalOutput } from '../output/terminal.js';

export function registerConversations(program: Command): void {
  const group = program
    .command('conversations')
    .alias('c')
    .description('list, show, export and delete the conversations stored in the data dir');

  withConfigFlags(group.command('list').description('the conversations, newest first'))
    .option('-n, --limit <n>', 'how many to show (default 20)', '20')
    .option('--json', 'one JSON object per line instead of a table')
    .action((flags: ConfigFlags & { limit: string; json?: boolean }) =>
      withStores(flags, async (stores) => {
        const limit = Number(flags.limit);
        if (!Number.isInteger(limit) || limit <= 0)
          throw new CliError(`--limit must be a positive whole number, got ${flags.limit}`);
        const rows: ConversationMetadata[] = [];
        for (let page: string | null = null; rows.length < limit; ) {
          const result = await stores.conversations.list({
            limit: Math.min(100, limit - rows.length),
            pageId: page,
          });
          rows.push(...result.items);
          page = result.next_page_id;
          if (!page) break;
        }
        if (flags.json) {
          for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
          return;
        }
        if (rows.length === 0) {
          process.stdout.write('no conversations yet — start one with: deft run "<task>"\n');
          return;
        }
        for (const row of rows) {
          const created = row.created_at.slice(0, 16).replace('T', ' ');
          process.stdout.write(
            `${row.conversation_id}  ${created}  ${row.loop_state.padEnd(7)}  ${row.title}\n`,
          );
        }
      }),
    );

  withConfigFlags(group.command('show').description('a conversation, step by step').argument('<id>'))
    .option('--output-lines <n>', 'lines of each command output to show (default: all)')
    .action((id: string, flags: ConfigFlags & { outputLines?: string }) =>
      withStores(flags, async (stores) => {
        const metadata = await required(stores, id);
        const out = new TerminalOutput();
        out.write(`${metadata.title}`);
        out.write(
          `${metadata.conversation_id} · created ${metadata.created_at} · ${metadata.llm_model ?? 'no model yet'} · $${metadata.accumulated_cost.toFixed(4)} · ${metadata.total_tokens} tokens`,
        );
        const maxOutputLines = flags.outputLines ? Number(flags.outputLines) : undefined;
        for (const event of await allEvents(stores, id)) {
          const line = describeEvent(event, maxOutputLines ? { maxOutputLines } : {});
          if (line) out.line(line);
        }
      }),
    );

  withConfigFlags(
    group
      .command('export')
      .description('a conversation with every event, as JSON or Markdown')
      .argument('<id>'),
  )
    .option('-f, --format <format>', 'json or md', 'json')
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .action((id: string, flags: ConfigFlags & { format: string; output?: string }) =>
      withStores(flags, async (stores) => {
        if (flags.format !== 'json' && flags.format !== 'md')
          throw new CliError(`--format must be json or md, got ${flags.format}`);
        const metadata = await required(stores, id);
        const events = await allEvents(stores, id);
        const text =
          flags.format === 'json'
            ? `${JSON.stringify({ conversation: metadata, events }, null, 2)}\n`
            : conversationMarkdown(metadata, events);
        if (flags.output) writeFileSync(flags.output, text);
        else process.stdout.write(text);
      }),
    );

  withConfigFlags(
    group
      .command('delete')
      .description('delete a conversation, its events and its workspace')
      .argument('<id>'),
  ).action((id: string, flags: ConfigFlags) =>
    withStores(flags, async (stores) => {
      await required(stores, id);
      await stores.deleteConversation(id);
      process.stdout.write(`deleted ${id}\n`);
    }),
  );
}

async function withStores(flags: ConfigFlags, work: (stores: LocalStores) => Promise<void>): Promise<void> {
  const stores = await openLocalStores(configFrom(flags));
  try {
    await work(stores);
  } finally {
    await stores.close();
  }
}

async function required(stores: LocalStores, id: string): Promise<ConversationMetadata> {
  if (!/^[0-9a-f]{32}$/.test(id))
    throw new CliError(`${id} is not a conversation id (32 lowercase hex characters)`);
  const metadata = await stores.conversations.get(id);
  if (!metadata)
    throw new CliError(`no conversation ${id} in this data dir (deft conversations list shows them)`);
  return metadata;
}

async function allEvents(stores: LocalStores, id: string): Promise<EventJson[]> {
  const all: EventJson[] = [];
  for (let start = 0; ; ) {
    const page = await stores.events.search(id, { start_id: start, limit: 100 });
    all.push(...(page.events as EventJson[]));
    if (!page.has_more || page.events.length === 0) return all;
    start = (page.events[page.events.length - 1] as EventJson).id + 1;
  }
}
