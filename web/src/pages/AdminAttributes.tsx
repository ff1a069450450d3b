import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import { useConfirm } from '../components/ConfirmDialog.tsx';
import { TableHead } from '../components/TableHead.tsx';
import type { User } from '../types.ts';
import { changeThenReload } from './admin-actions.ts';

interface Definition {
  id: number;
  key: string;
  type: 'string' | 'number' | 'boolean' | 'date';
  description: string;
}

type Values = Record<string, string[]>;

const TYPES = ['string', 'number', 'boolean', 'date'] as const;

/** Admin → User attributes: the definitions, and one user's values for them. */
export function UserAttributes() {
  const [definitions, setDefinitions] = useState<Definition[]>([]);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(
    () => api<{ items: Definition[] }>('GET', '/attributes').then((r) => setDefinitions(r.items), setError),
    [],
  );
  useEffect(() => {
    load();
  }, [load]);
  return (
    <section>
      <ErrorNote error={error} />
      <Definitions definitions={definitions} reload={load} onError={setError} />
      <UserValues definitions={definitions} onError={setError} />
    </section>
  );
}

function Definitions(props: {
  definitions: Definition[];
  reload: () => unknown;
  onError: (e: unknown) => void;
}) {
  const [key, setKey] = useState('');
  const [type, setType] = useState<string>('string');
  const [description, setDescription] = useState('');
  const [confirmDialog, confirm] = useConfirm();
  const remove = async (definition: Definition) => {
    const sure = await confirm({
      title: 'Delete attribute',
      message: `Delete the attribute ${definition.key} and every value of it?`,
      confirmLabel: 'Delete attribute',
    });
    if (sure) changeThenReload(props.onError, props.reload)(api('DELETE', `/attributes/${definition.id}`));
  };
  const create = (event: FormEvent) => {
    event.preventDefault();
    api('POST', '/attributes', { key, type, description: description || undefined }).then(() => {
      props.onError(null);
      setKey('');
      setDescription('');
      props.reload();
    }, props.onError);
  };
  return (
    <>
      <form className="card inlineform" onSubmit={create} aria-label="Define attribute">
        <label>
          Attribute key
          <input
            required
            pattern="[A-Za-z_][A-Za-z0-9_]*"
            value={key}
            onChange={(e) => setKey(e.target.value)}
          />
        </label>
        <label>
          Type
          <select value={type} onChange={(e) => setType(e.target.value)}>
            {TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <button type="submit" className="primary">
          Define attribute
        </button>
      </form>
      <div className="card tablescroll">
        <table aria-label="Attribute definitions">
          <TableHead columns={['Key', 'Type', 'Description']} actions />
          <tbody>
            {props.definitions.map((d) => (
              <tr key={d.id}>
                <td>
                  <code>{d.key}</code>
                </td>
                <td>{d.type}</td>
                <td>{d.description}</td>
                <td>
                  <button type="button" aria-label={`Delete attribute ${d.key}`} onClick={() => remove(d)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {confirmDialog}
    </>
  );
}

/** Values are edited as comma-separated text, one field per defined attribute. */
function UserValues(props: { definitions: Definition[]; onError: (e: unknown) => void }) {
  const [users, setUsers] = useState<User[]>([]);
  const [userId, setUserId] = useState('');
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [effective, setEffective] = useState<Values>({});
  const [saved, setSaved] = useState('');
  useEffect(() => {
    api<{ items: User[] }>('GET', '/users').then((r) => setUsers(r.items), props.onError);
  }, [props.onError]);
  useEffect(() => {
    setSaved('');
    if (!userId) return;
    api<{ attributes: Values; effective: Values }>('GET', `/users/${userId}/attributes`).then((r) => {
      setDraft(Object.fromEntries(Object.entries(r.attributes).map(([k, v]) => [k, v.join(', ')])));
      setEffective(r.effective);
    }, props.onError);
  }, [userId, props.onError]);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    const attributes: Record<string, string[]> = {};
    for (const [k, text] of Object.entries(draft)) {
      const values = text
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      if (values.length > 0) attributes[k] = values;
    }
    try {
      await api('PUT', `/users/${userId}/attributes`, { attributes });
      const r = await api<{ effective: Values }>('GET', `/users/${userId}/attributes`);
      setEffective(r.effective);
      props.onError(null);
      setSaved('Attributes saved');
    } catch (caught) {
      props.onError(caught);
    }
  };
  return (
    <form className="card" onSubmit={save} aria-label="User attribute values">
      <h2>Values for a user</h2>
      <div className="inlineform">
        <label>
          User
          <select value={userId} onChange={(e) => setUserId(e.target.value)}>
            <option value="">Choose…</option>
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.email}
              </option>
            ))}
          </select>
        </label>
      </div>
      {userId && (
        <>
          {props.definitions.length === 0 && <p>Define an attribute first.</p>}
          <div className="inlineform">
            {props.definitions.map((d) => (
              <label key={d.id}>
                {`Value of ${d.key}`}
                <input
                  value={draft[d.key] ?? ''}
                  placeholder={d.type === 'string' ? 'comma-separated' : d.type}
                  onChange={(e) => setDraft({ ...draft, [d.key]: e.target.value })}
                />
                <small>effective: {(effective[d.key] ?? []).join(', ') || '—'}</small>
              </label>
            ))}
          </div>
          <button type="submit" className="primary">
            Save attributes
          </button>{' '}
          <span role="status">{saved}</span>
        </>
      )}
    </form>
  );
}
