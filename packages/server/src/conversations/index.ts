export { removeConversation } from './conversation-removal.js';
export {
  type ConversationMetadata,
  type ConversationPage,
  type ConversationPatch,
  ConversationStore,
  type ListConversationsOptions,
  type NewConversation,
  toMetadataJson,
} from './metadata-store.js';
