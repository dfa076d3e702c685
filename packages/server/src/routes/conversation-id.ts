import { validateConversationId } from '@deft/protocol';
import type { FastifyReply } from 'fastify';

/** reference §1.1: answers 400 with the validation message and returns false when the id is not acceptable. */
export function acceptConversationId(id: string, reply: FastifyReply): boolean {
  try {
    validateConversationId(id);
    return true;
  } catch (error) {
    void reply.status(400).send({ detail: (error as Error).message });
    return false;
  }
}
