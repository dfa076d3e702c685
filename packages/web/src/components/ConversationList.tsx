import { useState } from 'react';
import { api } from '../api/client';
import type { ConversationInfo } from '../api/types';
import { formatWhen } from '../lib/format';
import { navigate } from '../lib/route';

interface Props {
  conversations: ConversationInfo[];
  activeId: string | null;
  onChanged: () => void;
}

/** The conversations, newest first, with search by title, rename and delete. */
export function ConversationList({ conversations, activeId, onChanged }: Props) {
  const [query, setQuery] = useState('');
  const [renaming, setRenaming] = useState<string | null>(null);
  const [title, setTitle] = useState('');
  const [error, setError] = useState('');
  const shown = conversations.filter((c) => c.title.toLowerCase().includes(query.trim().toLowerCase()));

  const rename = async (id: string) => {
    const next = title.trim();
    setRenaming(null);
    if (!next) return;
    try {
      await api.rename(id, next);
      onChanged();
    } catch (reason) {
      setError((reason as Error).message);
    }
  };
  const remove = async (conversation: ConversationInfo) => {
    if (!window.confirm(`Delete “${conversation.title}” and its workspace?`)) return;
    try {
      await api.remove(conversation.conversation_id);
      if (activeId === conversation.conversation_id) navigate({ page: 'home' });
      onChanged();
    } catch (reason) {
      setError((reason as Error).message);
    }
  };

  return (
    <nav className="conversation-list" aria-label="Conversations">
      <input
        type="search"
        placeholder="Search conversations"
        aria-label="Search conversations"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
      />
      {error && <p className="error-text">{error}</p>}
      <ul>
        {shown.map((conversation) => (
          <li
            key={conversation.conversation_id}
            className={conversation.conversation_id === activeId ? 'active' : ''}
          >
            {renaming === conversation.conversation_id ? (
              <form
                onSubmit={(event) => {
                  event.preventDefault();
                  void rename(conversation.conversation_id);
                }}
              >
                <input
                  // biome-ignore lint/a11y/noAutofocus: the user just asked to rename this conversation
                  autoFocus
                  aria-label="New title"
                  value={title}
                  onChange={(event) => setTitle(event.target.value)}
                  onBlur={() => void rename(conversation.conversation_id)}
                  onKeyDown={(event) => event.key === 'Escape' && setRenaming(null)}
                />
              </form>
            ) : (
              <a href={`#/c/${conversation.conversation_id}`} className="conversation-link">
                <span className="title">{conversation.title}</span>
                <span className="meta">
                  <span className={`badge ${conversation.status.toLowerCase()}`}>
                    {conversation.status.toLowerCase()}
                  </span>
                  {formatWhen(conversation.created_at)}
                </span>
              </a>
            )}
            <div className="row-actions">
              <button
                type="button"
                aria-label={`Rename ${conversation.title}`}
                title="Rename"
                onClick={() => {
                  setTitle(conversation.title);
                  setRenaming(conversation.conversation_id);
                }}
              >
                ✎
              </button>
              <button
                type="button"
                aria-label={`Delete ${conversation.title}`}
                title="Delete"
                onClick={() => void remove(conversation)}
              >
                ×
              </button>
            </div>
          </li>
        ))}
        {shown.length === 0 && (
          <li className="empty">{query ? 'No conversation matches.' : 'No conversations yet.'}</li>
        )}
      </ul>
    </nav>
  );
}
