import { type FormEvent, type KeyboardEvent, useState } from 'react';
import { api } from '../api/client';
import type { ConversationInfo } from '../api/types';

/** The message box: Enter sends, Shift+Enter starts a new line. A stopped conversation is started first. */
export function Composer({
  conversationId,
  info,
  onSent,
}: {
  conversationId: string;
  info: ConversationInfo | null;
  onSent: () => void;
}) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState('');

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    const content = text.trim();
    if (!content || sending) return;
    setSending(true);
    setError('');
    try {
      if (info?.status === 'STOPPED') await api.start(conversationId);
      await api.sendEvent(conversationId, { action: 'message', args: { content } });
      setText('');
      onSent();
    } catch (reason) {
      setError((reason as Error).message);
    } finally {
      setSending(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) void send();
    if (event.key === 'Enter' && !event.shiftKey) event.preventDefault();
  };

  return (
    <form className="composer" onSubmit={(event) => void send(event)}>
      <textarea
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        placeholder="Message the agent (Enter to send, Shift+Enter for a new line)"
        aria-label="Message"
        rows={2}
      />
      <button type="submit" className="primary" disabled={sending || !text.trim()}>
        Send
      </button>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
