import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api, errorMessage, upload } from '../api.ts';
import { ContentActions } from '../components/ContentActions.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { QueryAccessPanel } from '../components/QueryAccessPanel.tsx';
import { atLeast, mayChangeSource } from '../roles.ts';
import { navigate } from '../router.tsx';
import type { DataSource, Folder, Me, QueryResult } from '../types.ts';
import { ConnectionsPanel } from './Connections.tsx';
import { ModelsPanel } from './Models.tsx';

export function DataPage(props: { me: Me; selected?: string; view?: string }) {
  const [sources, setSources] = useState<DataSource[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [newName, setNewName] = useState('');
  const [folders, setFolders] = useState<Folder[]>([]);
  const canDevelop = props.me.role === 'developer' || props.me.role === 'admin';
  useEffect(() => {
    if (!canDevelop) return;
    api<{ items: Folder[] }>('GET', '/folders?kind=data_source')
      .then((r) => setFolders(r.items))
      .catch(setError);
  }, [canDevelop]);

  const load = useCallback(
    () =>
      api<{ items: DataSource[] }>('GET', '/data-sources')
        .then((r) => setSources(r.items))
        .catch(setError),
    [],
  );
  useEffect(() => {
    load();
  }, [load]);

  const selected = props.view
    ? undefined
    : (sources?.find((s) => s.uuid === props.selected) ?? (props.selected ? undefined : sources?.[0]));

  const create = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const created = await api<DataSource>('POST', '/data-sources', { name: newName, type: 'storage' });
      setNewName('');
      setError(null);
      await load();
      navigate(`/data?source=${created.uuid}`);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <div className="home">
      <aside className="sidebar" aria-label="Data sources">
        <h2>Data sources</h2>
        <ul className="folderlist">
          {(sources ?? []).map((s) => (
            <li key={s.uuid}>
              <button
                type="button"
                aria-pressed={selected?.uuid === s.uuid}
                onClick={() => navigate(`/data?source=${s.uuid}`)}
              >
                {s.name} <span className="tag">{s.type}</span>
              </button>
            </li>
          ))}
        </ul>
        {canDevelop && (
          <button
            type="button"
            className="link"
            aria-pressed={props.view === 'connections'}
            onClick={() => navigate('/data?view=connections')}
          >
            Connections…
          </button>
        )}
        <button
          type="button"
          className="link"
          aria-pressed={props.view === 'models'}
          onClick={() => navigate('/data?view=models')}
        >
          Models…
        </button>
        {canDevelop && (
          <form className="stack" onSubmit={create}>
            <label>
              New storage source
              <input
                name="newSource"
                required
                placeholder="Name"
                value={newName}
                onChange={(e) => setNewName(e.target.value)}
              />
            </label>
            <button type="submit">Create storage source</button>
          </form>
        )}
      </aside>
      <section className="content">
        <ErrorNote error={error} />
        {props.view === 'connections' ? (
          <ConnectionsPanel isAdmin={props.me.role === 'admin'} onSourceCreated={load} />
        ) : props.view === 'models' ? (
          <ModelsPanel me={props.me} />
        ) : sources === null ? (
          <p className="muted">Loading…</p>
        ) : selected ? (
          <>
            {mayChangeSource(props.me, selected.access) && (
              <ContentActions
                what="data source"
                name={selected.name}
                url={`/data-sources/${selected.id}`}
                folders={folders}
                personal={false}
                onChanged={() => load().then(() => navigate('/data'))}
                onError={setError}
              />
            )}
            <SourceDetail
              key={selected.uuid}
              source={selected}
              canUpload={atLeast(props.me, 'editor')}
              canChangeAccess={mayChangeSource(props.me, selected.access)}
              onChanged={load}
            />
          </>
        ) : (
          <p className="muted">No data source selected.</p>
        )}
      </section>
    </div>
  );
}

/** Uploading rows is `source.write` (editors up): others see the source without the form. */
function SourceDetail(props: {
  source: DataSource;
  canUpload: boolean;
  canChangeAccess: boolean;
  onChanged: () => void;
}) {
  const { source } = props;
  const [preview, setPreview] = useState<QueryResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<'append' | 'replace'>('append');
  const [progress, setProgress] = useState<number | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [count, setCount] = useState<number | null>(null);

  const loadPreview = useCallback(() => {
    api<QueryResult>('GET', `/data-sources/${source.uuid}/preview?limit=100`)
      .then((r) => {
        setPreview(r);
        setError(null);
      })
      .catch((e) => setError(errorMessage(e)));
    api<QueryResult>('POST', '/query', { source: source.uuid, metrics: [{ aggregation: 'count' }] })
      .then((r) => setCount(Number(r.rows[0]?.[0] ?? 0)))
      .catch(() => setCount(null));
  }, [source.uuid]);
  useEffect(() => {
    if (source.columns.length) loadPreview();
  }, [loadPreview, source.columns.length]);

  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setProgress(0);
    setMessage(null);
    try {
      const type = /\.gz$/i.test(file.name) ? 'application/gzip' : 'text/csv';
      const answer = await upload<{ rows?: number; inserted?: number }>(
        `/data-sources/${source.uuid}/csv?mode=${mode}`,
        file,
        type,
        setProgress,
      );
      const rows = answer?.rows ?? answer?.inserted;
      setError(null);
      setMessage(`Loaded ${rows ?? ''} rows from ${file.name}.`.replace('  ', ' '));
      props.onChanged();
      loadPreview();
    } catch (caught) {
      setMessage(null);
      setError(errorMessage(caught));
      setProgress(null);
    }
  };

  return (
    <div>
      <div className="toolbar">
        <div>
          <h1>{source.name}</h1>
          <p className="muted">
            {source.type} source · {count === null ? '' : `${count.toLocaleString()} rows · `}updated{' '}
            {new Date(source.updatedAt).toLocaleString()}
          </p>
        </div>
        <div className="actions">
          <button
            type="button"
            className="primary"
            onClick={() => navigate(`/explore?source=${source.uuid}`)}
          >
            Explore
          </button>
        </div>
      </div>
      {source.type === 'storage' && props.canUpload && (
        <form className="card upload" onSubmit={send} aria-label="Upload CSV">
          <h2>Upload CSV</h2>
          <div className="row">
            <label>
              CSV file
              <input
                type="file"
                name="csv"
                accept=".csv,.csv.gz,text/csv"
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              />
            </label>
            <label>
              Mode
              <select value={mode} onChange={(e) => setMode(e.target.value as 'append' | 'replace')}>
                <option value="append">Append rows</option>
                <option value="replace">Replace all rows</option>
              </select>
            </label>
            <button type="submit" disabled={!file}>
              Upload
            </button>
          </div>
          {progress !== null && (
            <progress max={1} value={progress} aria-label="Upload progress">
              {Math.round(progress * 100)}%
            </progress>
          )}
          {message && (
            <p className="ok" role="status">
              {message}
            </p>
          )}
        </form>
      )}
      <ErrorNote error={error} />
      <h2>Columns</h2>
      {source.columns.length === 0 ? (
        <p className="muted">No columns yet: upload a CSV to define them.</p>
      ) : (
        <ul className="columns">
          {source.columns.map((c) => (
            <li key={c.name}>
              <code>{c.name}</code> <span className="tag">{c.type}</span>
            </li>
          ))}
        </ul>
      )}
      {props.canChangeAccess && (
        <QueryAccessPanel
          what="data source"
          url={`/data-sources/${source.id}`}
          access={source.access}
          onSaved={props.onChanged}
        />
      )}
      {preview && (
        <>
          <h2>Preview</h2>
          <div className="card" data-testid="preview">
            <DataTable
              result={{ ...preview, cached: false, durationMs: 0 }}
              pageSize={25}
              rawNames
              caption={`Preview of ${source.name}`}
            />
          </div>
        </>
      )}
    </div>
  );
}
