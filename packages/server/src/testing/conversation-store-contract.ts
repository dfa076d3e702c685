import type { DeftError } from '@deft/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationStore, toMetadataJson } from '../conversations/index.js';
import type { DatabaseHandle } from '../storage/index.js';
import type { TestDatabase } from './databases.js';

const hex = (n: number) => n.toString(16).padStart(32, '0');

/** The conversation metadata store contract (issue 2 item 5, reference §5.3), run against every database. */
export function describeConversationStoreContract(makeDatabase: () => TestDatabase): void {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let store: ConversationStore;

  beforeAll(async () => {
    database = makeDatabase();
    handle = await database.open();
    store = new ConversationStore(handle);
  });
  afterAll(async () => {
    await handle?.close();
    await database?.dispose();
  });

  it('creates a conversation with a 32-hex id, the default title and the §5.3 metadata.json shape', async () => {
    const created = await store.create({ created_at: '2025-11-20T09:59:00.123Z' });
    expect(created.conversation_id).toMatch(/^[0-9a-f]{32}$/);
    expect(created.title).toBe(`Conversation ${created.conversation_id.slice(0, 5)}`);
    const json = toMetadataJson((await store.get(created.conversation_id))!);
    expect(Object.keys(json)).toEqual([
      'conversation_id',
      'selected_repository',
      'user_id',
      'selected_branch',
      'git_provider',
      'title',
      'last_updated_at',
      'trigger',
      'pr_number',
      'created_at',
      'llm_model',
      'accumulated_cost',
      'prompt_tokens',
      'completion_tokens',
      'total_tokens',
      'sandbox_id',
      'conversation_version',
    ]);
    expect(json).toMatchObject({
      user_id: null,
      trigger: 'gui',
      pr_number: [],
      accumulated_cost: 0,
      total_tokens: 0,
    });
  });

  it('rejects a conversation id that is not 32 lowercase hex, and a duplicate', async () => {
    await expect(store.create({ conversation_id: 'ABC' })).rejects.toMatchObject({
      code: 'CONVERSATION_ID_INVALID',
    });
    const id = hex(7);
    await store.create({ conversation_id: id });
    await expect(store.create({ conversation_id: id })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('updates fields and keeps cost and token counts as numbers; unknown id is CONVERSATION_NOT_FOUND', async () => {
    const { conversation_id } = await store.create({ llm_model: 'openai/gpt-4o' });
    const updated = await store.update(conversation_id, {
      title: 'Fix the build',
      accumulated_cost: 0.0123,
      prompt_tokens: 5000,
      completion_tokens: 120,
      total_tokens: 5120,
      sandbox_id: 'sbx-1',
      pr_number: [12],
      last_updated_at: '2025-11-20T10:00:00.000Z',
    });
    expect(updated).toMatchObject({ title: 'Fix the build', accumulated_cost: 0.0123, prompt_tokens: 5000 });
    expect(await store.get(conversation_id)).toEqual(updated);
    await expect(store.update(hex(999_999), { title: 'x' })).rejects.toMatchObject({
      code: 'CONVERSATION_NOT_FOUND',
    } satisfies Partial<DeftError>);
    expect(await store.delete(conversation_id)).toBe(true);
    expect(await store.delete(conversation_id)).toBe(false);
    expect(await store.get(conversation_id)).toBeNull();
  });

  describe('listing newest first with an opaque cursor', () => {
    const repo = 'acme/listing';
    beforeAll(async () => {
      // 45 conversations, some sharing a created_at so the id breaks ties.
      for (let n = 0; n < 45; n++) {
        await store.create({
          conversation_id: hex(1_000 + n),
          created_at: new Date(Date.UTC(2030, 0, 1, 0, 0, Math.floor(n / 3))).toISOString(),
          selected_repository: repo,
          trigger: n % 5 === 0 ? 'resolver' : 'gui',
        });
      }
    });

    it('pages through every conversation exactly once, newest first', async () => {
      const seen: string[] = [];
      let pageId: string | null = null;
      do {
        const page = await store.list({ limit: 10, pageId, selectedRepository: repo });
        seen.push(...page.items.map((item) => item.conversation_id));
        pageId = page.next_page_id;
      } while (pageId);
      const expected = Array.from({ length: 45 }, (_, n) => hex(1_044 - n));
      expect(seen).toEqual(expected);
    });

    it('filters by trigger and repository, and rejects a forged page id', async () => {
      const page = await store.list({ limit: 100, selectedRepository: repo, trigger: 'resolver' });
      expect(page.items).toHaveLength(9);
      expect(page.next_page_id).toBeNull();
      await expect(store.list({ pageId: 'not-a-cursor' })).rejects.toMatchObject({
        code: 'CONVERSATION_PAGE_ID_INVALID',
      });
      await expect(store.list({ limit: 0 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });
}
