import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import { openEventStream } from '../api/event-stream';
import type { AgentState, ConversationInfo, DeftEvent } from '../api/types';

export interface ConversationState {
  info: ConversationInfo | null;
  events: DeftEvent[];
  /** the LLM's text of the step in progress, cleared when the step's event arrives */
  liveText: string;
  agentState: AgentState | null;
  connection: 'connecting' | 'live' | 'reconnecting';
  cost: number;
  tokens: number;
  refreshInfo: () => void;
}

/** Everything the conversation view shows, kept current by the event stream and a slow poll of the metadata. */
export function useConversation(id: string): ConversationState {
  const [info, setInfo] = useState<ConversationInfo | null>(null);
  const [events, setEvents] = useState<DeftEvent[]>([]);
  const [liveText, setLiveText] = useState('');
  const [connection, setConnection] = useState<ConversationState['connection']>('connecting');
  const pending = useRef<DeftEvent[]>([]);
  const frame = useRef<number | null>(null);

  const refreshInfo = useCallback(() => {
    api.conversation(id).then(setInfo, () => undefined);
  }, [id]);

  useEffect(() => {
    setEvents([]);
    setLiveText('');
    refreshInfo();
    const poll = setInterval(refreshInfo, 3_000);
    // Events are applied once per animation frame: a replay of thousands renders once, not thousands of times.
    const flush = () => {
      frame.current = null;
      const batch = pending.current;
      pending.current = [];
      if (batch.length > 0) setEvents((current) => [...current, ...batch]);
    };
    const close = openEventStream(id, {
      onEvent: (event) => {
        pending.current.push(event);
        if (event.source === 'agent' && (event.action || event.observation === 'agent_state_changed'))
          setLiveText('');
        frame.current ??= requestAnimationFrame(flush);
      },
      onText: (text) => setLiveText((current) => current + text),
      onConnection: setConnection,
    });
    return () => {
      close();
      clearInterval(poll);
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
      pending.current = [];
    };
  }, [id, refreshInfo]);

  let agentState: AgentState | null = null;
  let cost = 0;
  let tokens = 0;
  for (let index = events.length - 1; index >= 0; index--) {
    const event = events[index]!;
    if (agentState === null && event.observation === 'agent_state_changed')
      agentState = String(event.extras?.agent_state ?? '') as AgentState;
    if (cost === 0 && tokens === 0 && event.llm_metrics) {
      cost = event.llm_metrics.accumulated_cost ?? 0;
      const usage = event.llm_metrics.accumulated_token_usage;
      tokens = (usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0);
    }
    if (agentState !== null && (cost > 0 || tokens > 0)) break;
  }
  return { info, events, liveText, agentState, connection, cost, tokens, refreshInfo };
}
