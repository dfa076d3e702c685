import { useState } from 'react';
import { api } from '../api/client';
import type { AgentState, ConversationInfo } from '../api/types';
import { AGENT_STATE_LABEL, formatCost, formatTokens } from '../lib/format';

const BUSY: AgentState[] = ['running', 'loading', 'init', 'user_confirmed', 'rate_limited'];

interface Props {
  conversationId: string;
  info: ConversationInfo | null;
  agentState: AgentState | null;
  cost: number;
  tokens: number;
  onChange: () => void;
}

/** The agent's state, and what can be done about it: stop, continue, confirm or reject a risky action. */
export function AgentControls({ conversationId, info, agentState, cost, tokens, onChange }: Props) {
  const [error, setError] = useState('');
  const act = async (work: () => Promise<unknown>) => {
    setError('');
    try {
      await work();
      onChange();
    } catch (reason) {
      setError((reason as Error).message);
    }
  };
  const setState = (state: string) =>
    act(() => api.sendEvent(conversationId, { action: 'change_agent_state', args: { agent_state: state } }));
  const loopStopped = info?.status === 'STOPPED';
  const state = agentState ?? (info?.status === 'STARTING' ? 'loading' : null);
  const busy = state !== null && BUSY.includes(state) && !loopStopped;

  return (
    <div className="agent-controls">
      <span className={`state-chip ${loopStopped ? 'stopped' : (state ?? 'none')}`} data-testid="agent-state">
        {loopStopped && state !== 'finished'
          ? 'Stopped'
          : state
            ? (AGENT_STATE_LABEL[state] ?? state)
            : 'Starting'}
      </span>
      <span className="metrics" title="LLM tokens and cost so far">
        {formatTokens(tokens)} tokens · {formatCost(cost)}
      </span>
      {state === 'awaiting_user_confirmation' && (
        <>
          <button type="button" className="primary" onClick={() => void setState('user_confirmed')}>
            Confirm
          </button>
          <button type="button" onClick={() => void setState('user_rejected')}>
            Reject
          </button>
        </>
      )}
      {busy && (
        <button type="button" className="danger" onClick={() => void setState('stopped')}>
          Stop
        </button>
      )}
      {!busy && (state === 'stopped' || state === 'paused' || state === 'error' || loopStopped) && (
        <button
          type="button"
          onClick={() =>
            void act(async () => {
              if (loopStopped) await api.start(conversationId);
              await api.sendEvent(conversationId, {
                action: 'message',
                args: { content: 'Please continue.' },
              });
            })
          }
        >
          Continue
        </button>
      )}
      {error && (
        <span className="error-text" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
