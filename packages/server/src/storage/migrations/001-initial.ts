import type { Kysely } from 'kysely';

/** Events (the log) and conversation metadata (reference §5.3). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('timestamp', 'text', (c) => c.notNull())
    .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('body', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('events_pk', ['conversation_id', 'id'])
    .execute();
  await db.schema
    .createIndex('events_by_type')
    .on('events')
    .columns(['conversation_id', 'type', 'id'])
    .execute();
  await db.schema
    .createIndex('events_by_time')
    .on('events')
    .columns(['conversation_id', 'timestamp'])
    .execute();

  await db.schema
    .createTable('conversations')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_updated_at', 'text')
    .addColumn('trigger', 'text')
    .addColumn('selected_repository', 'text')
    .addColumn('selected_branch', 'text')
    .addColumn('git_provider', 'text')
    .addColumn('user_id', 'text')
    .addColumn('llm_model', 'text')
    .addColumn('accumulated_cost', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('prompt_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('completion_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('total_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('sandbox_id', 'text')
    .addColumn('pr_number', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  // Newest-first listing with keyset pagination: (created_at, conversation_id) descending.
  await db.schema
    .createIndex('conversations_by_created')
    .on('conversations')
    .columns(['created_at', 'conversation_id'])
    .execute();
  await db.schema
    .createIndex('conversations_by_repo')
    .on('conversations')
    .columns(['selected_repository', 'created_at', 'conversation_id'])
    .execute();
  await db.schema
    .createIndex('conversations_by_trigger')
    .on('conversations')
    .columns(['trigger', 'created_at', 'conversation_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('conversations').execute();
  await db.schema.dropTable('events').execute();
}
