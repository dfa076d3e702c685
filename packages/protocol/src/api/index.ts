export { validateConversationId } from './conversation-id.js';
export * from './conversations.js';
export * from './settings.js';
