import type { DeftEvent } from '../api/types';
import { readableReason } from '../lib/format';
import { renderMarkdown } from '../lib/markdown';

/** Events that carry nothing a reader needs; they stay in the DOM (empty) so every id is accounted for. */
const QUIET_ACTIONS = new Set(['system', 'recall', 'null', 'change_agent_state', 'condensation']);
const QUIET_OBSERVATIONS = new Set(['recall', 'null', 'success', 'condensation']);

export function Markdown({ text }: { text: string }) {
  // biome-ignore lint/security/noDangerouslySetInnerHtml: the HTML is sanitized by DOMPurify in renderMarkdown
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(text) }} />;
}

function Diff({ text }: { text: string }) {
  return (
    <pre className="diff">
      {text.split('\n').map((line, index) => (
        <span
          // biome-ignore lint/suspicious/noArrayIndexKey: lines of a diff have no identity beyond their place
          key={index}
          className={
            line.startsWith('+') && !line.startsWith('+++')
              ? 'add'
              : line.startsWith('-') && !line.startsWith('---')
                ? 'del'
                : line.startsWith('@@')
                  ? 'hunk'
                  : ''
          }
        >
          {line}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}

function Thought({ text }: { text: string }) {
  if (!text.trim()) return null;
  return (
    <details className="thought">
      <summary>Thought</summary>
      <Markdown text={text} />
    </details>
  );
}

/** One event of the timeline; an action is drawn together with the observation that answered it. */
export function EventItem({ event, result }: { event: DeftEvent; result?: DeftEvent }) {
  const args = event.args ?? {};
  const extras = event.extras ?? {};
  const thought = typeof args.thought === 'string' ? args.thought : '';
  const ids = result ? `${event.id} ${result.id}` : String(event.id);

  if (event.action === 'message') {
    return (
      <article className={`event message ${event.source}`} data-event-id={ids}>
        <header>{event.source === 'user' ? 'You' : 'Agent'}</header>
        <Markdown text={String(args.content ?? event.message ?? '')} />
      </article>
    );
  }
  if (event.action === 'run' || event.action === 'run_ipython') {
    const exitCode = (result?.extras?.metadata as { exit_code?: number } | undefined)?.exit_code;
    return (
      <article className="event command" data-event-id={ids}>
        <Thought text={thought} />
        <div className="terminal-block">
          <div className="prompt">
            <span className="dollar">$</span> {String(args.command ?? args.code ?? '')}
          </div>
          {result ? (
            <pre className="output">{result.content}</pre>
          ) : args.confirmation_state === 'awaiting_confirmation' ? (
            <div className="running-indicator">waiting for your confirmation</div>
          ) : args.confirmation_state === 'rejected' ? (
            <div className="running-indicator">rejected — not run</div>
          ) : (
            <div className="running-indicator">running…</div>
          )}
          {typeof exitCode === 'number' && exitCode !== 0 && (
            <div className="exit-code">exit code {exitCode}</div>
          )}
        </div>
      </article>
    );
  }
  if (event.action === 'edit' || event.action === 'write') {
    const diff = typeof result?.extras?.diff === 'string' ? result.extras.diff : '';
    const verb = args.command === 'create' || event.action === 'write' ? 'Created' : 'Edited';
    return (
      <article className="event file-edit" data-event-id={ids}>
        <Thought text={thought} />
        <header>
          {verb} <code>{String(args.path ?? '')}</code>
        </header>
        {diff ? (
          <Diff text={diff} />
        ) : result?.observation === 'error' ? (
          <div className="error-text">{result.content}</div>
        ) : result ? (
          <pre className="output small">{result.content}</pre>
        ) : null}
      </article>
    );
  }
  if (event.action === 'read') {
    return (
      <article className="event file-read" data-event-id={ids}>
        <Thought text={thought} />
        <header>
          Read <code>{String(args.path ?? '')}</code>
        </header>
        {result?.observation === 'error' && <div className="error-text">{result.content}</div>}
      </article>
    );
  }
  if (event.action === 'think') {
    return (
      <article className="event" data-event-id={ids}>
        <Thought text={String(args.thought ?? '')} />
      </article>
    );
  }
  if (event.action === 'finish') {
    return (
      <article className="event finish" data-event-id={ids}>
        <header>Finished</header>
        <Markdown text={String(args.final_thought || args.thought || event.message || 'Done.')} />
      </article>
    );
  }
  if (event.observation === 'error') {
    return (
      <article className="event error" data-event-id={ids} role="alert">
        <header>Error</header>
        <div className="error-text">{event.content}</div>
      </article>
    );
  }
  if (event.observation === 'agent_state_changed') {
    const state = String(extras.agent_state ?? '');
    const reason = String(extras.reason ?? '');
    if (state === 'error' || (reason && state !== 'running')) {
      return (
        <article
          className={`event state-change ${state}`}
          data-event-id={ids}
          role={state === 'error' ? 'alert' : undefined}
        >
          Agent {state.replaceAll('_', ' ')}
          {reason ? `: ${readableReason(reason)}` : ''}
        </article>
      );
    }
    return <span className="quiet" data-event-id={ids} />;
  }
  if (
    (event.action && QUIET_ACTIONS.has(event.action)) ||
    (event.observation && QUIET_OBSERVATIONS.has(event.observation))
  )
    return <span className="quiet" data-event-id={ids} />;
  return (
    <article className="event other" data-event-id={ids}>
      <Thought text={thought} />
      <header>{event.action ?? event.observation}</header>
      {event.content ? (
        <pre className="output small">{event.content}</pre>
      ) : event.message ? (
        <p>{event.message}</p>
      ) : null}
    </article>
  );
}
