import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import { useConfirm } from '../components/ConfirmDialog.tsx';
import { Modal } from '../components/Modal.tsx';
import { TableHead } from '../components/TableHead.tsx';
import type { ApiKey, DataSource } from '../types.ts';
import { changeThenReload } from './admin-actions.ts';

/** Checkboxes, one per data source: the sources a data-API key may query. */
function SourceChoices(props: {
  legend: string;
  sources: DataSource[];
  selected: number[];
  onChange: (selected: number[]) => void;
}) {
  const toggle = (id: number, on: boolean) =>
    props.onChange(on ? [...props.selected, id] : props.selected.filter((s) => s !== id));
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      {props.sources.length === 0 && <span className="muted">No data sources yet.</span>}
      {props.sources.map((source) => (
        <label key={source.id} className="inline">
          <input
            type="checkbox"
            checked={props.selected.includes(source.id)}
            onChange={(e) => toggle(source.id, e.target.checked)}
          />{' '}
          {source.name}
        </label>
      ))}
    </fieldset>
  );
}

function EditKey(props: { apiKey: ApiKey; sources: DataSource[]; onDone: (saved: boolean) => void }) {
  const restricted = props.apiKey.dataSourceIds !== null;
  const [name, setName] = useState(props.apiKey.name);
  const [selected, setSelected] = useState<number[]>(props.apiKey.dataSourceIds ?? []);
  const [error, setError] = useState<unknown>(null);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await api('PATCH', `/api-keys/${props.apiKey.id}`, {
        name,
        ...(restricted && { dataSourceIds: selected }),
      });
      props.onDone(true);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <Modal title={`Edit the key ${props.apiKey.name}`} onClose={() => props.onDone(false)}>
      <form className="stack" onSubmit={save} aria-label="Edit API key">
        <ErrorNote error={error} />
        <label>
          Key name
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        {restricted ? (
          <SourceChoices
            legend="Data sources this key may query"
            sources={props.sources}
            selected={selected}
            onChange={setSelected}
          />
        ) : (
          <p className="muted small">
            A full key acts as its owner; it cannot be restricted to data sources.
          </p>
        )}
        {restricted && selected.length === 0 && (
          <p className="muted small">A data-API key keeps at least one source: revoke it instead.</p>
        )}
        <div className="row">
          <button type="submit" className="primary" disabled={restricted && selected.length === 0}>
            Save
          </button>
          <button type="button" onClick={() => props.onDone(false)}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** The caller's API keys: full keys, and data-API keys restricted to chosen data sources. */
export function ApiKeys() {
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const [sources, setSources] = useState<DataSource[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [restrictTo, setRestrictTo] = useState<number[]>([]);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [editing, setEditing] = useState<ApiKey | null>(null);
  const [confirmDialog, confirm] = useConfirm();
  const load = useCallback(
    () => api<{ items: ApiKey[] }>('GET', '/api-keys').then((r) => setKeys(r.items), setError),
    [],
  );
  useEffect(() => {
    load();
    api<{ items: DataSource[] }>('GET', '/data-sources').then((r) => setSources(r.items), setError);
  }, [load]);
  const create = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const answer = await api<ApiKey & { key: string }>('POST', '/api-keys', {
        name,
        ...(restrictTo.length > 0 && { dataSourceIds: restrictTo }),
      });
      setCreated({ name: answer.name, key: answer.key });
      setName('');
      setRestrictTo([]);
      setError(null);
      load();
    } catch (caught) {
      setError(caught);
    }
  };
  const revoke = async (key: ApiKey) => {
    const sure = await confirm({
      title: 'Revoke API key',
      message: `Revoke the key ${key.name}? Scripts and clients using it stop working at once.`,
      confirmLabel: 'Revoke',
    });
    if (sure) changeThenReload(setError, load)(api('DELETE', `/api-keys/${key.id}`));
  };
  const sourceNames = (ids: number[] | null) =>
    ids === null
      ? 'all (full key)'
      : ids.map((id) => sources.find((s) => s.id === id)?.name ?? `#${id}`).join(', ');
  return (
    <section>
      <ErrorNote error={error} />
      <form className="card stack" onSubmit={create} aria-label="Create API key">
        <label>
          Key name
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <SourceChoices
          legend="Restrict to data sources (optional: a data-API key only reads these)"
          sources={sources}
          selected={restrictTo}
          onChange={setRestrictTo}
        />
        <div className="row">
          <button type="submit" className="primary">
            {restrictTo.length > 0 ? 'Create data-API key' : 'Create API key'}
          </button>
        </div>
      </form>
      {created && (
        <div className="card secret" role="status" data-testid="new-key">
          <p>
            <strong>Copy the key “{created.name}” now: it is shown only once.</strong>
          </p>
          <code className="key">{created.key}</code>{' '}
          <button type="button" onClick={() => navigator.clipboard?.writeText(created.key).catch(() => {})}>
            Copy
          </button>{' '}
          <button type="button" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      <div className="card tablescroll">
        <table>
          <TableHead columns={['Name', 'Prefix', 'Data sources', 'Created', 'Last used', 'Status']} actions />
          <tbody>
            {keys.map((k) => (
              <tr key={k.id}>
                <td id={`key-name-${k.id}`}>{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{sourceNames(k.dataSourceIds)}</td>
                <td>{new Date(k.createdAt).toLocaleString()}</td>
                <td>{k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : '—'}</td>
                <td>{k.revokedAt ? 'revoked' : 'active'}</td>
                <td>
                  {!k.revokedAt && (
                    <>
                      {/* Described by the name cell, not named after it: the row stays findable by name. */}
                      <button
                        type="button"
                        aria-describedby={`key-name-${k.id}`}
                        onClick={() => setEditing(k)}
                      >
                        Edit
                      </button>{' '}
                      <button type="button" aria-describedby={`key-name-${k.id}`} onClick={() => revoke(k)}>
                        Revoke
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {editing && (
        <EditKey
          apiKey={editing}
          sources={sources}
          onDone={(saved) => {
            setEditing(null);
            if (saved) load();
          }}
        />
      )}
      {confirmDialog}
    </section>
  );
}
