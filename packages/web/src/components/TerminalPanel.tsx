import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef } from 'react';
import type { DeftEvent } from '../api/types';

/** The commands the agent ran and their output, in a real terminal emulator (read-only). */
export function TerminalPanel({ events }: { events: DeftEvent[] }) {
  const host = useRef<HTMLDivElement>(null);
  const terminal = useRef<Terminal | null>(null);
  const written = useRef(-1);

  useEffect(() => {
    const term = new Terminal({
      convertEol: true,
      disableStdin: true,
      fontSize: 13,
      scrollback: 10_000,
      theme: { background: '#0d1117', foreground: '#d1d7e0' },
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host.current!);
    terminal.current = term;
    written.current = -1;
    const resize = new ResizeObserver(() => {
      if (host.current && host.current.offsetWidth > 0) fit.fit();
    });
    resize.observe(host.current!);
    return () => {
      resize.disconnect();
      term.dispose();
      terminal.current = null;
    };
  }, []);

  useEffect(() => {
    const term = terminal.current;
    if (!term) return;
    for (const event of events) {
      if (event.id <= written.current) continue;
      written.current = event.id;
      if (event.action === 'run') term.write(`\x1b[1;33m$\x1b[0m ${String(event.args?.command ?? '')}\n`);
      else if (event.observation === 'run') {
        const content = String(event.content ?? '');
        if (content) term.write(content.endsWith('\n') ? content : `${content}\n`);
      }
    }
  }, [events]);

  return <div className="terminal-panel" ref={host} data-testid="terminal" />;
}
