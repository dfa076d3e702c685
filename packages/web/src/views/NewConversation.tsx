import { type FormEvent, useState } from 'react';
import { api } from '../api/client';
import { navigate } from '../lib/route';

type Source = 'fresh' | 'folder' | 'git';

/** A task and where the agent works on it: a fresh folder, a folder on this machine, or a clone of a git URL. */
export function NewConversation({ onCreated }: { onCreated: () => void }) {
  const [task, setTask] = useState('');
  const [source, setSource] = useState<Source>('fresh');
  const [location, setLocation] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const start = async (event: FormEvent) => {
    event.preventDefault();
    if (!task.trim()) return setError('Describe the task first.');
    if (source !== 'fresh' && !location.trim())
      return setError(source === 'folder' ? 'Enter the folder path.' : 'Enter the git URL.');
    setBusy(true);
    setError('');
    try {
      const created = await api.createConversation({
        initial_user_msg: task.trim(),
        ...(source === 'folder' ? { workspace_path: location.trim() } : {}),
        ...(source === 'git' ? { git_url: location.trim() } : {}),
      });
      onCreated();
      navigate({ page: 'conversation', id: created.conversation_id });
    } catch (reason) {
      setError((reason as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="new-conversation card" onSubmit={(event) => void start(event)}>
      <h1>What should the agent do?</h1>
      <textarea
        // biome-ignore lint/a11y/noAutofocus: this is the page's one input
        autoFocus
        aria-label="Task"
        placeholder="e.g. Add a --verbose flag to the CLI and a test for it"
        value={task}
        rows={5}
        onChange={(event) => setTask(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) void start(event);
        }}
      />
      <fieldset className="source">
        <legend>Workspace</legend>
        {(
          [
            ['fresh', 'A new empty folder'],
            ['folder', 'A folder on this machine'],
            ['git', 'A clone of a git repository'],
          ] as const
        ).map(([value, label]) => (
          <label key={value}>
            <input
              type="radio"
              name="source"
              value={value}
              checked={source === value}
              onChange={() => setSource(value)}
            />
            {label}
          </label>
        ))}
        {source !== 'fresh' && (
          <input
            aria-label={source === 'folder' ? 'Folder path' : 'Git URL'}
            placeholder={source === 'folder' ? '/home/me/project' : 'https://github.com/owner/repo.git'}
            value={location}
            onChange={(event) => setLocation(event.target.value)}
          />
        )}
      </fieldset>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Starting…' : 'Start'} <kbd>Ctrl+Enter</kbd>
      </button>
    </form>
  );
}
