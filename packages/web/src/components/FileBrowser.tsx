import { useCallback, useEffect, useState } from 'react';
import { api, sessionKey } from '../api/client';

interface Entry {
  path: string;
  isDir: boolean;
}

function toEntries(names: string[]): Entry[] {
  return names
    .map((name) => ({ path: name.replace(/\/$/, ''), isDir: name.endsWith('/') }))
    .sort((a, b) => Number(b.isDir) - Number(a.isDir) || a.path.localeCompare(b.path));
}

function baseName(path: string): string {
  return path.split('/').pop() ?? path;
}

/** The workspace as a tree (loaded folder by folder) with a viewer, and the whole workspace as a zip. */
export function FileBrowser({ conversationId, refreshKey }: { conversationId: string; refreshKey: number }) {
  const [tree, setTree] = useState<Record<string, Entry[]>>({});
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [selected, setSelected] = useState<{ path: string; code: string | null; error?: string } | null>(
    null,
  );
  const [error, setError] = useState('');

  const load = useCallback(
    async (folder: string) => {
      try {
        const names = await api.listFiles(conversationId, folder);
        setTree((current) => ({ ...current, [folder]: toEntries(names) }));
        setError('');
      } catch (reason) {
        setError((reason as Error).message);
      }
    },
    [conversationId],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: reload the open folders when the agent changes files
  useEffect(() => {
    void load('');
    for (const folder of open) void load(folder);
  }, [load, refreshKey]);

  const toggle = (folder: string) => {
    const next = new Set(open);
    if (next.has(folder)) next.delete(folder);
    else {
      next.add(folder);
      void load(folder);
    }
    setOpen(next);
  };

  const view = async (path: string) => {
    setSelected({ path, code: null });
    try {
      setSelected({ path, code: (await api.selectFile(conversationId, path)).code });
    } catch (reason) {
      setSelected({ path, code: null, error: (reason as Error).message });
    }
  };

  const download = async () => {
    const key = sessionKey.get();
    const response = await fetch(api.zipUrl(conversationId), {
      headers: key ? { 'x-session-api-key': key } : {},
    });
    if (!response.ok) return setError(`Download failed: HTTP ${response.status}`);
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = `workspace-${conversationId.slice(0, 8)}.zip`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const renderFolder = (folder: string, depth: number) =>
    (tree[folder] ?? []).map((entry) => (
      <li key={entry.path}>
        <button
          type="button"
          className={`file-entry ${entry.isDir ? 'dir' : 'file'} ${selected?.path === entry.path ? 'selected' : ''}`}
          style={{ paddingLeft: `${0.5 + depth * 0.9}rem` }}
          onClick={() => (entry.isDir ? toggle(entry.path) : void view(entry.path))}
          aria-expanded={entry.isDir ? open.has(entry.path) : undefined}
        >
          {entry.isDir ? (open.has(entry.path) ? '▾ ' : '▸ ') : ''}
          {baseName(entry.path)}
        </button>
        {entry.isDir && open.has(entry.path) && <ul>{renderFolder(entry.path, depth + 1)}</ul>}
      </li>
    ));

  return (
    <div className="file-browser">
      <div className="toolbar">
        <button type="button" onClick={() => void load('')}>
          Refresh
        </button>
        <button type="button" onClick={() => void download()}>
          Download zip
        </button>
      </div>
      {error && <p className="error-text">{error}</p>}
      <ul className="file-tree" aria-label="Workspace files">
        {renderFolder('', 0)}
        {tree['']?.length === 0 && <li className="empty">The workspace is empty.</li>}
      </ul>
      {selected && (
        <section className="file-viewer" aria-label={`File ${selected.path}`}>
          <header>
            <code>{selected.path}</code>
            <button type="button" onClick={() => setSelected(null)} aria-label="Close file">
              ×
            </button>
          </header>
          {selected.error ? (
            <p className="error-text">{selected.error}</p>
          ) : selected.code === null ? (
            <p className="empty">Loading…</p>
          ) : (
            <pre className="file-content">{selected.code}</pre>
          )}
        </section>
      )}
    </div>
  );
}
