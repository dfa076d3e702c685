import type { Kysely } from 'kysely';

/**
 * Where a conversation's agent loop should be (running / paused / stopped), so a restart can bring back the
 * ones that were running; and the host folder used as its workspace when it is not the default one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('conversations')
    .addColumn('loop_state', 'text', (c) => c.notNull().defaultTo('stopped'))
    .execute();
  await db.schema.alterTable('conversations').addColumn('workspace_dir', 'text').execute();
  await db.schema.createIndex('conversations_loop_state').on('conversations').column('loop_state').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('conversations_loop_state').execute();
  await db.schema.alterTable('conversations').dropColumn('workspace_dir').execute();
  await db.schema.alterTable('conversations').dropColumn('loop_state').execute();
}
