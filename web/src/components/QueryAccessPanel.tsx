import { useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import type { QueryAccessEntry } from '../types.ts';
import { AccessEntries } from './AccessEntries.tsx';

const LEVELS = { query: 'can query', edit: 'can query and edit' };

/**
 * "Who can query" a data source or a model (`PUT <url>/access`): the list is changed as a draft
 * and saved in one go, so a half-built list never locks anyone out. Shown only to those who may
 * change it (`mayChangeSource`); the server decides all the same.
 */
export function QueryAccessPanel(props: {
  what: 'data source' | 'model';
  /** The object's API path, e.g. `/data-sources/12`. */
  url: string;
  access: QueryAccessEntry[];
  onSaved: () => void;
}) {
  const [draft, setDraft] = useState(props.access);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const changed = JSON.stringify(draft) !== JSON.stringify(props.access);

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = await api<{ access: QueryAccessEntry[] }>('PUT', `${props.url}/access`, {
        access: draft,
      });
      setDraft(answer.access);
      setSaved(true);
      props.onSaved();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card accesspanel" aria-label="Who can query">
      <h2>Who can query</h2>
      <AccessEntries
        entries={draft}
        levels={LEVELS}
        emptyNote={`Everyone in the organization whose role allows it can query this ${props.what}.`}
        giveLabel="Give access to"
        addLabel="Add"
        busy={busy}
        onChange={(entries) => {
          setDraft(entries);
          setSaved(false);
        }}
        onError={setError}
      />
      <ErrorNote error={error} />
      <div className="row">
        <button type="button" className="primary" disabled={!changed || busy} onClick={save}>
          {busy ? 'Saving…' : 'Save access'}
        </button>
        {changed && (
          <button type="button" disabled={busy} onClick={() => setDraft(props.access)}>
            Undo changes
          </button>
        )}
        <span role="status" className="ok">
          {saved && !changed ? 'Access saved.' : ''}
        </span>
      </div>
      <p className="muted small">
        Only those listed can see and query it; admins always can. Changing it also needs the developer role.
      </p>
    </section>
  );
}
