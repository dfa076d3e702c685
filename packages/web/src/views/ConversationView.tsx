import { useEffect, useState } from 'react';
import { AgentControls } from '../components/AgentControls';
import { Composer } from '../components/Composer';
import { FileBrowser } from '../components/FileBrowser';
import { TerminalPanel } from '../components/TerminalPanel';
import { Timeline } from '../components/Timeline';
import { useConversation } from '../lib/use-conversation';

type Panel = 'terminal' | 'files';

export function ConversationView({ id }: { id: string }) {
  const conversation = useConversation(id);
  const [panel, setPanel] = useState<Panel>('terminal');
  const [mobileTab, setMobileTab] = useState<'timeline' | 'panel'>('timeline');
  // The file tree reloads whenever the agent has touched files.
  const fileChanges = conversation.events.filter(
    (event) => event.observation === 'run' || event.observation === 'edit' || event.observation === 'write',
  ).length;

  useEffect(() => {
    document.title = conversation.info?.title ? `${conversation.info.title} · Deft` : 'Deft';
  }, [conversation.info?.title]);

  return (
    <div className={`conversation-view show-${mobileTab}`}>
      <header className="conversation-header">
        <h1 title={conversation.info?.title}>{conversation.info?.title ?? 'Conversation'}</h1>
        <AgentControls
          conversationId={id}
          info={conversation.info}
          agentState={conversation.agentState}
          cost={conversation.cost}
          tokens={conversation.tokens}
          onChange={conversation.refreshInfo}
        />
        {conversation.connection !== 'live' && (
          <span className="connection" role="status">
            {conversation.connection === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
          </span>
        )}
        <div className="mobile-tabs" role="tablist">
          <button
            type="button"
            role="tab"
            aria-selected={mobileTab === 'timeline'}
            onClick={() => setMobileTab('timeline')}
          >
            Timeline
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={mobileTab === 'panel'}
            onClick={() => setMobileTab('panel')}
          >
            Terminal & files
          </button>
        </div>
      </header>
      <section className="conversation-main">
        <Timeline events={conversation.events} liveText={conversation.liveText} />
        <Composer conversationId={id} info={conversation.info} onSent={conversation.refreshInfo} />
      </section>
      <aside className="conversation-side">
        <div className="tabs" role="tablist" aria-label="Workspace">
          <button
            type="button"
            role="tab"
            aria-selected={panel === 'terminal'}
            onClick={() => setPanel('terminal')}
          >
            Terminal
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={panel === 'files'}
            onClick={() => setPanel('files')}
          >
            Files
          </button>
        </div>
        <div className="panel" hidden={panel !== 'terminal'}>
          <TerminalPanel events={conversation.events} />
        </div>
        {panel === 'files' && (
          <div className="panel">
            <FileBrowser conversationId={id} refreshKey={fileChanges} />
          </div>
        )}
      </aside>
    </div>
  );
}
