import { describe, expect, it } from 'vitest';
import type { DeftError } from '../errors/index.js';
import {
  ConversationInfo,
  defaultConversationTitle,
  InitSessionRequest,
  SETTINGS_DEFAULTS,
  Settings,
  SettingsUpdate,
  UpdateConversationRequest,
  validateConversationId,
} from './index.js';

describe('V0 API models', () => {
  it('§1.2 ConversationInfo parses the reference example unchanged', () => {
    const example = {
      conversation_id: '3f2a9c0d1e2f3a4b5c6d7e8f9a0b1c2d',
      title: 'Conversation 3f2a9',
      last_updated_at: '2025-11-20T10:00:00Z',
      status: 'RUNNING',
      runtime_status: 'STATUS$READY',
      selected_repository: null,
      selected_branch: null,
      git_provider: null,
      trigger: 'gui',
      num_connections: 1,
      url: '/api/conversations/3f2a9c0d1e2f3a4b5c6d7e8f9a0b1c2d',
      session_api_key: null,
      created_at: '2025-11-20T09:59:00Z',
      pr_number: [],
      conversation_version: 'V0',
      sub_conversation_ids: [],
    };
    expect(ConversationInfo.parse(example)).toEqual(example);
    expect(() => ConversationInfo.parse({ ...example, conversation_version: 'V1' })).toThrow();
  });

  it('§1.2 default title is "Conversation <first 5 chars>"', () => {
    expect(defaultConversationTitle('3f2a9c0d1e2f3a4b5c6d7e8f9a0b1c2d')).toBe('Conversation 3f2a9');
  });

  it('§1.1 conversation-id validation gives the exact messages in order', () => {
    const message = (id: string) => {
      try {
        validateConversationId(id);
        return 'ok';
      } catch (error) {
        expect((error as DeftError).code).toBe('CONVERSATION_ID_INVALID');
        expect((error as DeftError).status).toBe(400);
        return (error as Error).message;
      }
    };
    expect(message('a'.repeat(101))).toBe('Conversation ID is too long');
    expect(message('ab\0c')).toBe('Conversation ID contains invalid characters');
    expect(message('../etc')).toBe('Conversation ID contains invalid path characters');
    expect(message('a/b')).toBe('Conversation ID contains invalid path characters');
    expect(message('a\\b')).toBe('Conversation ID contains invalid path characters');
    expect(message('a\tb')).toBe('Conversation ID contains control characters');
    expect(message('3f2a9c0d1e2f3a4b5c6d7e8f9a0b1c2d')).toBe('ok');
  });

  it('§1.3 POST /api/conversations forbids extra keys and PATCH trims a 1..200 char title', () => {
    expect(InitSessionRequest.safeParse({ initial_user_msg: 'hi' }).success).toBe(true);
    expect(InitSessionRequest.safeParse({ initial_user_msg: 'hi', surprise: 1 }).success).toBe(false);
    expect(UpdateConversationRequest.parse({ title: '  New  ' })).toEqual({ title: 'New' });
    expect(UpdateConversationRequest.safeParse({ title: '   ' }).success).toBe(false);
    expect(UpdateConversationRequest.safeParse({ title: 'x'.repeat(201) }).success).toBe(false);
  });

  it('Appendix A settings.json defaults, and POST /api/settings rules (unknown keys ignored, condenser_max_size ≥ 20)', () => {
    const defaults = Settings.parse(SETTINGS_DEFAULTS);
    expect(defaults).toMatchObject({
      language: 'en',
      agent: 'CodeActAgent',
      confirmation_mode: false,
      enable_default_condenser: true,
      condenser_max_size: 120,
      git_user_name: 'openhands',
      git_user_email: 'openhands@all-hands.dev',
      secrets_store: { provider_tokens: {} },
    });
    expect(SettingsUpdate.parse({ llm_model: 'openai/gpt-4o', provider_tokens_set: {} })).toEqual({
      llm_model: 'openai/gpt-4o',
    });
    expect(SettingsUpdate.safeParse({ condenser_max_size: 19 }).success).toBe(false);
  });
});
