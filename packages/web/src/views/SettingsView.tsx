import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api } from '../api/client';
import type { SecretInfo, Settings } from '../api/types';

/** The LLM and agent limits; on first run (no settings saved) it is the whole page, with a welcome. */
export function LlmSettingsForm({
  settings,
  onSaved,
  firstRun,
}: {
  settings: Settings | null;
  onSaved: () => void;
  firstRun?: boolean;
}) {
  const [model, setModel] = useState(settings?.llm_model ?? '');
  const [baseUrl, setBaseUrl] = useState(settings?.llm_base_url ?? '');
  const [apiKey, setApiKey] = useState('');
  const [maxIterations, setMaxIterations] = useState(
    settings?.max_iterations ? String(settings.max_iterations) : '',
  );
  const [budget, setBudget] = useState(
    settings?.max_budget_per_task ? String(settings.max_budget_per_task) : '',
  );
  const [confirmation, setConfirmation] = useState(Boolean(settings?.confirmation_mode));
  const [models, setModels] = useState<string[]>([]);
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  useEffect(() => {
    api.models().then(setModels, () => setModels([]));
  }, []);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!model.trim())
      return setStatus({ kind: 'error', text: 'Choose a model, e.g. anthropic/claude-sonnet-4-5.' });
    const iterations = maxIterations ? Number(maxIterations) : null;
    if (iterations !== null && !(Number.isInteger(iterations) && iterations > 0))
      return setStatus({ kind: 'error', text: 'Max iterations must be a positive whole number.' });
    const maxBudget = budget ? Number(budget) : null;
    if (maxBudget !== null && !(maxBudget > 0))
      return setStatus({ kind: 'error', text: 'The budget must be a positive number of dollars.' });
    try {
      await api.saveSettings({
        llm_model: model.trim(),
        llm_base_url: baseUrl.trim() || null,
        ...(apiKey ? { llm_api_key: apiKey } : {}),
        max_iterations: iterations,
        max_budget_per_task: maxBudget,
        confirmation_mode: confirmation,
      });
      setApiKey('');
      setStatus({ kind: 'ok', text: 'Settings saved.' });
      onSaved();
    } catch (reason) {
      setStatus({ kind: 'error', text: (reason as Error).message });
    }
  };

  return (
    <form className="settings-form card" onSubmit={(event) => void save(event)}>
      {firstRun ? (
        <>
          <h1>Welcome to Deft</h1>
          <p>Connect a language model and you are ready to give the agent its first task.</p>
        </>
      ) : (
        <h2>LLM and agent</h2>
      )}
      <label>
        Model
        <input
          list="deft-models"
          value={model}
          onChange={(event) => setModel(event.target.value)}
          placeholder="provider/model, e.g. anthropic/claude-sonnet-4-5"
          required
        />
        <datalist id="deft-models">
          {models.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
      </label>
      <label>
        Base URL{' '}
        <span className="hint">(only for OpenAI-compatible servers such as vLLM, Ollama or LM Studio)</span>
        <input
          value={baseUrl}
          onChange={(event) => setBaseUrl(event.target.value)}
          placeholder="http://localhost:11434/v1"
        />
      </label>
      <label>
        API key
        <input
          type="password"
          autoComplete="off"
          value={apiKey}
          onChange={(event) => setApiKey(event.target.value)}
          placeholder={settings?.llm_api_key_set ? 'saved — type to replace' : 'sk-…'}
        />
      </label>
      <div className="row">
        <label>
          Max iterations
          <input
            inputMode="numeric"
            value={maxIterations}
            onChange={(event) => setMaxIterations(event.target.value)}
            placeholder="500"
          />
        </label>
        <label>
          Budget per task (USD)
          <input
            inputMode="decimal"
            value={budget}
            onChange={(event) => setBudget(event.target.value)}
            placeholder="no limit"
          />
        </label>
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={confirmation}
          onChange={(event) => setConfirmation(event.target.checked)}
        />
        Ask me before risky actions (confirmation mode)
      </label>
      {status && (
        <p
          className={status.kind === 'ok' ? 'ok-text' : 'error-text'}
          role={status.kind === 'ok' ? 'status' : 'alert'}
        >
          {status.text}
        </p>
      )}
      <button type="submit" className="primary">
        {firstRun ? 'Save and continue' : 'Save'}
      </button>
    </form>
  );
}

function SecretsForm() {
  const [secrets, setSecrets] = useState<SecretInfo[]>([]);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState('');
  const reload = useCallback(
    () => api.secrets().then(setSecrets, (reason: Error) => setError(reason.message)),
    [],
  );
  useEffect(() => {
    void reload();
  }, [reload]);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      return setError('A secret name is an environment variable name: letters, digits and _.');
    try {
      await api.addSecret(name, value, description);
      setName('');
      setValue('');
      setDescription('');
      setError('');
      await reload();
    } catch (reason) {
      setError((reason as Error).message);
    }
  };

  return (
    <section className="card">
      <h2>Secrets</h2>
      <p className="hint">
        Available to the agent as environment variables in its sandbox, and hidden in everything it shows.
      </p>
      <ul className="secret-list">
        {secrets.map((secret) => (
          <li key={secret.name}>
            <code>{secret.name}</code> <span className="hint">{secret.description}</span>
            <button
              type="button"
              aria-label={`Delete secret ${secret.name}`}
              onClick={() =>
                void api.deleteSecret(secret.name).then(reload, (reason: Error) => setError(reason.message))
              }
            >
              Delete
            </button>
          </li>
        ))}
        {secrets.length === 0 && <li className="empty">No secrets yet.</li>}
      </ul>
      <form className="row" onSubmit={(event) => void add(event)}>
        <input
          aria-label="Secret name"
          placeholder="NAME"
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <input
          aria-label="Secret value"
          type="password"
          placeholder="value"
          value={value}
          onChange={(event) => setValue(event.target.value)}
        />
        <input
          aria-label="Secret description"
          placeholder="description (optional)"
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
        <button type="submit">Add</button>
      </form>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

export function SettingsView({ settings, onSaved }: { settings: Settings | null; onSaved: () => void }) {
  return (
    <div className="settings-view">
      <LlmSettingsForm settings={settings} onSaved={onSaved} />
      <SecretsForm />
    </div>
  );
}
