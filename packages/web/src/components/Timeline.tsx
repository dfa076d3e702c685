import { useEffect, useMemo, useRef } from 'react';
import type { DeftEvent } from '../api/types';
import { EventItem, Markdown } from './EventItem';

/** Actions whose observation is drawn inside them. */
const PAIRED = new Set(['run', 'run_ipython', 'edit', 'write', 'read']);

export function Timeline({ events, liveText }: { events: DeftEvent[]; liveText: string }) {
  const bottom = useRef<HTMLDivElement>(null);
  const scroller = useRef<HTMLElement>(null);
  const items = useMemo(() => {
    const resultOf = new Map<number, DeftEvent>();
    const pairedIds = new Set<number>();
    const actionIds = new Set(events.filter((e) => e.action && PAIRED.has(e.action)).map((e) => e.id));
    for (const event of events) {
      if (event.observation && event.cause !== undefined && actionIds.has(event.cause)) {
        resultOf.set(event.cause, event);
        pairedIds.add(event.id);
      }
    }
    // An action that waited for confirmation is appended again once confirmed or rejected; the first copy is
    // then only history, kept in the DOM but not shown.
    const lastActionId = events.reduce(
      (last, event) => (event.action && event.source === 'agent' ? event.id : last),
      -1,
    );
    return events
      .filter((event) => !pairedIds.has(event.id))
      .map((event) => ({
        event,
        result: resultOf.get(event.id),
        superseded: event.args?.confirmation_state === 'awaiting_confirmation' && event.id !== lastActionId,
      }));
  }, [events]);

  // Follow the newest event, unless the reader scrolled up to look at something.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the content grows
  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const nearBottom = element.scrollHeight - element.scrollTop - element.clientHeight < 200;
    if (nearBottom) bottom.current?.scrollIntoView({ block: 'end' });
  }, [items.length, liveText]);

  return (
    <section className="timeline" ref={scroller} aria-live="polite" aria-label="Conversation timeline">
      {items.length === 0 && <p className="empty">Waiting for the first event…</p>}
      {items.map(({ event, result, superseded }) =>
        superseded ? (
          <span key={event.id} className="quiet" data-event-id={event.id} />
        ) : (
          <EventItem key={event.id} event={event} result={result} />
        ),
      )}
      {liveText && (
        <article className="event message agent streaming" aria-label="The agent is writing">
          <header>Agent</header>
          <Markdown text={liveText} />
        </article>
      )}
      <div ref={bottom} />
    </section>
  );
}
