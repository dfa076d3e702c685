import { DeftError } from '../errors/index.js';

/**
 * reference §1.1 validate_conversation_id: the exact 400 messages of the original, checked in its order.
 * Returns the id unchanged when it is acceptable.
 */
export function validateConversationId(id: string): string {
  if (id.length > 100) throw new DeftError('CONVERSATION_ID_INVALID', 'Conversation ID is too long');
  if (id.includes('\0'))
    throw new DeftError('CONVERSATION_ID_INVALID', 'Conversation ID contains invalid characters');
  if (id.includes('..') || id.includes('/') || id.includes('\\')) {
    throw new DeftError('CONVERSATION_ID_INVALID', 'Conversation ID contains invalid path characters');
  }
  if ([...id].some((char) => char.charCodeAt(0) < 0x20)) {
    throw new DeftError('CONVERSATION_ID_INVALID', 'Conversation ID contains control characters');
  }
  return id;
}
