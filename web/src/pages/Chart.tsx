import { type FormEvent, useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { ApiError, api, errorMessage } from '../api.ts';
import type { SavedChart } from '../charts.ts';
import { AddToDashboardDialog } from '../components/ChartDialogs.tsx';
import { useConfirm } from '../components/ConfirmDialog.tsx';
import { VersionHistory } from '../components/VersionHistory.tsx';
import { WidgetBody } from '../components/WidgetBody.tsx';
import { atLeast } from '../roles.ts';
import { Link, navigate } from '../router.tsx';
import type { Me, QueryResult } from '../types.ts';
import '../charts.css';

/**
 * A saved chart: its data (an ad-hoc run, so interactive viewers and up; viewers see it on the
 * dashboards showing it), the dashboards showing it, its versions, and for those who may edit it
 * rename, edit in the query editor, restore and delete. Editors add it to a dashboard.
 */
export function ChartPage(props: { id: string; me: Me }) {
  const [chart, setChart] = useState<SavedChart | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [renaming, setRenaming] = useState(false);
  const [adding, setAdding] = useState(false);
  const [confirmDialog, ask] = useConfirm();

  useEffect(() => {
    api<SavedChart>('GET', `/charts/${props.id}`)
      .then((loaded) => {
        setChart(loaded);
        document.title = `${loaded.name} · Rosetta`;
      })
      .catch(setError);
    return () => {
      document.title = 'Rosetta';
    };
  }, [props.id]);

  if (error) return <ErrorNote error={error} />;
  if (!chart) return <p className="muted">Loading chart…</p>;

  const remove = async () => {
    const ok = await ask({
      title: 'Delete chart',
      message: `Delete the chart “${chart.name}”?`,
      confirmLabel: 'Delete',
    });
    if (!ok) return;
    try {
      await api('DELETE', `/charts/${chart.id}`);
      navigate('/');
    } catch (caught) {
      if (!(caught instanceof ApiError && caught.status === 409)) return setNotice(errorMessage(caught));
      const anyway = await ask({
        title: 'The chart is in use',
        message: `${caught.message}.`,
        confirmLabel: 'Delete anyway',
      });
      if (!anyway) return;
      await api('DELETE', `/charts/${chart.id}?force=true`)
        .then(() => navigate('/'))
        .catch((e) => setNotice(errorMessage(e)));
    }
  };

  return (
    <div className="chartpage">
      {confirmDialog}
      <div className="toolbar">
        <div>
          <p className="crumbs">
            <Link to="/">Home</Link> / Charts /
          </p>
          {renaming ? (
            <RenameForm chart={chart} onSaved={setChart} onDone={() => setRenaming(false)} />
          ) : (
            <h1>{chart.name}</h1>
          )}
          {chart.description && <p className="muted">{chart.description}</p>}
        </div>
        <div className="actions">
          {chart.canEdit && (
            <>
              <button type="button" onClick={() => setRenaming(true)} disabled={renaming}>
                Rename
              </button>
              <button type="button" onClick={() => navigate(`/charts/${chart.id}/edit`)}>
                Edit query
              </button>
              <button type="button" onClick={remove}>
                Delete
              </button>
            </>
          )}
          {atLeast(props.me, 'editor') && (
            <button type="button" className="primary" onClick={() => setAdding(true)} aria-haspopup="dialog">
              Add to dashboard
            </button>
          )}
        </div>
      </div>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {adding && <AddToDashboardDialog chart={chart} onClose={() => setAdding(false)} />}
      <div className="chartlayout">
        <ChartData chart={chart} me={props.me} />
        <div className="chartside">
          <section className="card" aria-label="Dashboards showing this chart">
            <h2>On dashboards</h2>
            {chart.usedBy.length === 0 ? (
              <p className="muted">No dashboard you can see shows this chart yet.</p>
            ) : (
              <ul className="usedby">
                {chart.usedBy.map((d) => (
                  <li key={d.id}>
                    <Link to={`/dashboards/${d.id}`}>{d.name}</Link>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <VersionHistory
            path={`/charts/${chart.id}`}
            current={chart.version}
            canRestore={chart.canEdit}
            restoreNote="Every dashboard showing the chart changes with it; the current state stays in the history."
            onRestore={async (version) =>
              setChart(await api<SavedChart>('POST', `/charts/${chart.id}/versions/${version}/restore`))
            }
          />
        </div>
      </div>
    </div>
  );
}

/** The chart drawn from its own results, for those who may run queries. */
function ChartData(props: { chart: SavedChart; me: Me }) {
  const { chart } = props;
  const [result, setResult] = useState<QueryResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const mayRun = atLeast(props.me, 'interactive_viewer');

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new version may change the query
  useEffect(() => {
    if (!mayRun) return;
    const abort = new AbortController();
    setError(null);
    api<QueryResult>('POST', `/charts/${chart.id}/results`, undefined, { signal: abort.signal })
      .then(setResult)
      .catch((e) => {
        if (!abort.signal.aborted) setError(errorMessage(e));
      });
    return () => abort.abort();
  }, [chart.id, chart.version, mayRun]);

  return (
    <section
      className="card preview chartdata"
      aria-label="Chart"
      data-state={error ? 'error' : result ? 'ready' : 'loading'}
    >
      <header className="widgethead">
        <h2>{chart.name}</h2>
        {result && (
          <span className="muted small">
            {result.rows.length} rows · {result.durationMs.toFixed(0)} ms{result.cached ? ' · cached' : ''}
          </span>
        )}
      </header>
      <div className="widgetbody previewbody">
        {!mayRun ? (
          <p className="muted center">Viewers see this chart's data on the dashboards that show it.</p>
        ) : error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : (
          <WidgetBody visualization={chart.visualization} result={result} label={chart.name} />
        )}
      </div>
    </section>
  );
}

function RenameForm(props: { chart: SavedChart; onSaved: (chart: SavedChart) => void; onDone: () => void }) {
  const [name, setName] = useState(props.chart.name);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      props.onSaved(
        await api<SavedChart>('PATCH', `/charts/${props.chart.id}`, {
          name: name.trim(),
          version: props.chart.version,
        }),
      );
      props.onDone();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <form className="inlineform renameform" onSubmit={submit} aria-label="Rename chart">
      <label>
        Chart name
        {/* biome-ignore lint/a11y/noAutofocus: the form opens on the user's click to type the name */}
        <input autoFocus required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <button type="submit" className="primary" disabled={!name.trim()}>
        Save name
      </button>
      <button type="button" onClick={props.onDone}>
        Cancel
      </button>
      <ErrorNote error={error} />
    </form>
  );
}
