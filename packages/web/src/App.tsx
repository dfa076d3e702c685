import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, sessionKey } from './api/client';
import type { ConversationInfo, Settings } from './api/types';
import { ConversationList } from './components/ConversationList';
import { navigate, useRoute } from './lib/route';
import { ConversationView } from './views/ConversationView';
import { NewConversation } from './views/NewConversation';
import { LlmSettingsForm, SettingsView } from './views/SettingsView';

type Boot =
  | { kind: 'loading' }
  | { kind: 'locked' }
  | { kind: 'ready'; settings: Settings | null }
  | { kind: 'error'; message: string };

export function App() {
  const route = useRoute();
  const [boot, setBoot] = useState<Boot>({ kind: 'loading' });
  const [conversations, setConversations] = useState<ConversationInfo[]>([]);
  const [sidebarOpen, setSidebarOpen] = useState(false);

  const loadSettings = useCallback(async () => {
    try {
      setBoot({ kind: 'ready', settings: await api.settings() });
    } catch (reason) {
      if (reason instanceof ApiError && reason.status === 401) setBoot({ kind: 'locked' });
      else setBoot({ kind: 'error', message: (reason as Error).message });
    }
  }, []);
  const loadConversations = useCallback(() => {
    api.conversations().then(
      (page) => setConversations(page.results),
      () => undefined,
    );
  }, []);

  useEffect(() => {
    void loadSettings();
  }, [loadSettings]);
  useEffect(() => {
    if (boot.kind !== 'ready' || !boot.settings) return;
    loadConversations();
    const timer = setInterval(loadConversations, 5_000);
    return () => clearInterval(timer);
  }, [boot, loadConversations]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: close the narrow-window menu whenever the place changes
  useEffect(() => setSidebarOpen(false), [route]);

  if (boot.kind === 'loading') return <div className="center">Loading…</div>;
  if (boot.kind === 'error')
    return <div className="center error-text">Deft is unreachable: {boot.message}</div>;
  if (boot.kind === 'locked') return <SessionKeyPrompt onUnlock={() => void loadSettings()} />;
  if (!boot.settings)
    return (
      <main className="first-run">
        <LlmSettingsForm
          settings={null}
          firstRun
          onSaved={() => void loadSettings().then(() => navigate({ page: 'home' }))}
        />
      </main>
    );

  return (
    <div className={`app ${sidebarOpen ? 'sidebar-open' : ''}`}>
      <header className="topbar">
        <button
          type="button"
          className="menu"
          aria-label="Conversations"
          onClick={() => setSidebarOpen(!sidebarOpen)}
        >
          ☰
        </button>
        <a href="#/" className="brand">
          Deft
        </a>
        <span className="model">{boot.settings.llm_model}</span>
        <nav>
          <a href="#/" className="button primary">
            New conversation
          </a>
          <a href="#/settings" className="button">
            Settings
          </a>
        </nav>
      </header>
      <aside className="sidebar">
        <ConversationList
          conversations={conversations}
          activeId={route.page === 'conversation' ? route.id : null}
          onChanged={loadConversations}
        />
      </aside>
      <main className="content">
        {route.page === 'home' && <NewConversation onCreated={loadConversations} />}
        {route.page === 'settings' && (
          <SettingsView settings={boot.settings} onSaved={() => void loadSettings()} />
        )}
        {route.page === 'conversation' && <ConversationView key={route.id} id={route.id} />}
      </main>
    </div>
  );
}

function SessionKeyPrompt({ onUnlock }: { onUnlock: () => void }) {
  const [key, setKey] = useState('');
  return (
    <main className="first-run">
      <form
        className="card"
        onSubmit={(event) => {
          event.preventDefault();
          sessionKey.set(key);
          onUnlock();
        }}
      >
        <h1>This Deft needs its session key</h1>
        <p>Enter the SESSION_API_KEY the server was started with.</p>
        <input
          type="password"
          aria-label="Session API key"
          value={key}
          onChange={(event) => setKey(event.target.value)}
        />
        <button type="submit" className="primary">
          Unlock
        </button>
      </form>
    </main>
  );
}
