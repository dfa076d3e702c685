import { rmSync } from 'node:fs';
import type { EventLog } from '../events/index.js';
import type { ConversationStore } from './metadata-store.js';
import { defaultWorkspaceDir } from './workspace-source.js';

/**
 * Deletes a stored conversation: its metadata, its events and — when Deft made it — its workspace (a folder
 * the user supplied is never removed). False when there was no such conversation. Its loop must be stopped.
 */
export async function removeConversation(
  stores: { conversations: ConversationStore; events: EventLog; dataDir: string },
  conversationId: string,
): Promise<boolean> {
  const metadata = await stores.conversations.get(conversationId);
  if (!metadata) return false;
  await stores.conversations.delete(conversationId);
  await stores.events.deleteConversation(conversationId);
  if (!metadata.workspace_dir)
    rmSync(defaultWorkspaceDir(stores.dataDir, conversationId), { recursive: true, force: true });
  return true;
}
