import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api, errorMessage, getToken } from '../api.ts';
import { FilterBar } from '../components/FilterBar.tsx';
import { exportFilters, type FilterValue, ruleFor, withFilters } from '../components/filters.ts';
import { WidgetBody } from '../components/WidgetBody.tsx';
import { rememberDashboard } from '../recent.ts';
import { Link, navigate } from '../router.tsx';
import type { Cell, Dashboard, DataSource, FilterNode, Me, QueryResult, Widget } from '../types.ts';

const LayoutEditor = lazy(() =>
  import('../components/LayoutEditor.tsx').then((m) => ({ default: m.LayoutEditor })),
);

let exportsAvailable: Promise<boolean> | undefined;
/** Whether the server has the exports route (it is optional); asked once per page load. */
function hasExports(): Promise<boolean> {
  exportsAvailable ??= fetch('/api/openapi.json')
    .then((r) => (r.ok ? r.json() : { paths: {} }))
    .then((doc: { paths?: Record<string, unknown> }) =>
      Object.keys(doc.paths ?? {}).some((p) => /^\/api\/exports\/?$/.test(p)),
    )
    .catch(() => false);
  return exportsAvailable;
}

export function DashboardPage(props: { id: string; me: Me }) {
  const [dashboard, setDashboard] = useState<Dashboard | null>(null);
  const [sources, setSources] = useState<DataSource[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [values, setValues] = useState<Record<string, FilterValue | undefined>>({});
  const [refreshKey, setRefreshKey] = useState(0);
  const [editingLayout, setEditingLayout] = useState(false);
  const [exportsOn, setExportsOn] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [showHistory, setShowHistory] = useState(false);
  const [autoRefresh, setAutoRefresh] = useState(0);

  useEffect(() => {
    if (!autoRefresh) return;
    const timer = setInterval(() => setRefreshKey((k) => k + 1), autoRefresh * 1000);
    return () => clearInterval(timer);
  }, [autoRefresh]);

  useEffect(() => {
    api<Dashboard>('GET', `/dashboards/${props.id}`)
      .then((d) => {
        setDashboard(d);
        rememberDashboard(d.id);
        document.title = `${d.name} · Rosetta`;
      })
      .catch(setError);
    api<{ items: DataSource[] }>('GET', '/data-sources')
      .then((r) => setSources(r.items))
      .catch(() => {});
    hasExports().then(setExportsOn);
    return () => {
      document.title = 'Rosetta';
    };
  }, [props.id]);

  const columnsOf = useMemo(() => {
    const map = new Map<string, Set<string>>();
    for (const s of sources) {
      const names = new Set(s.columns.map((c) => c.name));
      map.set(s.uuid, names);
      map.set(String(s.id), names);
    }
    return map;
  }, [sources]);

  /** The extra rules for one widget: each set filter whose field its source has (unknown sources get them all). */
  const extraFor = useCallback(
    (widget: Widget): FilterNode[] => {
      if (!dashboard || !widget.query) return [];
      const columns = columnsOf.get(widget.query.source);
      return dashboard.filters.flatMap((f) => {
        if (columns && !columns.has(f.field)) return [];
        const rule = ruleFor(f.field, values[f.id]);
        return rule ? [rule] : [];
      });
    },
    [dashboard, values, columnsOf],
  );

  const sourceFor = useCallback(
    (field: string) => {
      for (const w of dashboard?.widgets ?? []) {
        if (!w.query) continue;
        const columns = columnsOf.get(w.query.source);
        if (!columns || columns.has(field)) return w.query.source;
      }
      return undefined;
    },
    [dashboard, columnsOf],
  );

  if (error) return <ErrorNote error={error} />;
  if (!dashboard) return <p className="muted">Loading dashboard…</p>;

  const canEdit = props.me.role !== 'viewer' && props.me.role !== 'interactive_viewer';
  const cells = new Map(dashboard.layout.map((c) => [c.widgetId, c]));
  const ordered = [...dashboard.widgets].sort((a, b) => {
    const ca = cells.get(a.id);
    const cb = cells.get(b.id);
    return (ca?.y ?? 999) - (cb?.y ?? 999) || (ca?.x ?? 0) - (cb?.x ?? 0);
  });

  const deleteWidget = async (widget: Widget) => {
    if (!confirm(`Delete the widget “${widget.title || widget.id}”?`)) return;
    try {
      await api('DELETE', `/dashboards/${dashboard.id}/widgets/${widget.id}`);
      setDashboard(await api<Dashboard>('GET', `/dashboards/${dashboard.id}`));
    } catch (caught) {
      setError(caught);
    }
  };

  const saveLayout = async (layout: Cell[]) => {
    try {
      setDashboard(await api<Dashboard>('PATCH', `/dashboards/${dashboard.id}`, { layout }));
      setEditingLayout(false);
    } catch (caught) {
      setNotice(errorMessage(caught));
    }
  };

  /** Cross-filter: a click on a chart's category sets the dashboard's values filter on that field. */
  const crossFilter = (column: string, value: unknown) => {
    const filter = dashboard.filters.find((f) => f.type === 'values' && f.field === column);
    if (!filter || value === undefined) return;
    const current = values[filter.id];
    const same = current?.kind === 'values' && current.values.length === 1 && current.values[0] === value;
    setValues({ ...values, [filter.id]: same ? undefined : { kind: 'values', values: [value as string] } });
  };

  const clone = async () => {
    try {
      const copy = await api<{ id: number }>('POST', `/dashboards/${dashboard.id}/clone`, {
        name: `${dashboard.name} (copy)`,
      });
      navigate(`/dashboards/${copy.id}`);
    } catch (caught) {
      setNotice(errorMessage(caught));
    }
  };

  const exportAs = async (format: string) => {
    setNotice(`Exporting ${format.toUpperCase()}…`);
    try {
      const { job } = await api<{ job: { id: number } }>('POST', '/exports', {
        dashboard: dashboard.id,
        format,
        filters: exportFilters(values),
      });
      const deadline = Date.now() + 120_000;
      for (;;) {
        const { job: state } = await api<{ job: { status: string; progress: number; error: string | null } }>(
          'GET',
          `/jobs/${job.id}`,
        );
        if (state.status === 'success') break;
        if (state.status === 'failure' || state.status === 'cancelled')
          throw new Error(state.error ?? `export ${state.status}`);
        if (Date.now() > deadline) throw new Error('the export is taking too long; find it later under jobs');
        setNotice(`Exporting ${format.toUpperCase()}… ${state.progress}%`);
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
      const response = await fetch(`/api/jobs/${job.id}/download`, {
        headers: { authorization: `Bearer ${getToken()}` },
      });
      if (!response.ok) throw new Error(`download failed (${response.status})`);
      const name =
        /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ??
        `${dashboard.name}.${format}`;
      const a = document.createElement('a');
      a.href = URL.createObjectURL(await response.blob());
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      setNotice(`Exported ${name}`);
    } catch (caught) {
      setNotice(errorMessage(caught));
    }
  };

  return (
    <div className="dashboard">
      <div className="toolbar">
        <div>
          <p className="crumbs">
            <Link to="/">Dashboards</Link> /
          </p>
          <h1>{dashboard.name}</h1>
          {dashboard.description && <p className="muted">{dashboard.description}</p>}
        </div>
        <div className="actions">
          <button type="button" onClick={() => setRefreshKey(refreshKey + 1)} title="Run every widget again">
            Refresh
          </button>
          <select
            aria-label="Auto-refresh"
            value={autoRefresh}
            onChange={(e) => setAutoRefresh(Number(e.target.value))}
          >
            <option value={0}>Auto-refresh off</option>
            <option value={30}>Every 30 s</option>
            <option value={60}>Every minute</option>
            <option value={300}>Every 5 minutes</option>
          </select>
          {exportsOn &&
            ['csv', 'xlsx', 'pdf', 'png'].map((format) => (
              <button
                key={format}
                type="button"
                onClick={() => exportAs(format)}
                aria-label={`Export as ${format.toUpperCase()}`}
              >
                {format.toUpperCase()}
              </button>
            ))}
          {canEdit && (
            <>
              <button type="button" onClick={() => setShowHistory(!showHistory)} aria-pressed={showHistory}>
                History
              </button>
              <button type="button" onClick={clone}>
                Clone
              </button>
              <button
                type="button"
                onClick={() => setEditingLayout(!editingLayout)}
                aria-pressed={editingLayout}
              >
                {editingLayout ? 'Cancel layout' : 'Edit layout'}
              </button>
              <button
                type="button"
                className="primary"
                onClick={() => navigate(`/dashboards/${dashboard.id}/widgets/new`)}
              >
                Add widget
              </button>
            </>
          )}
        </div>
      </div>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {showHistory && (
        <VersionHistory
          dashboard={dashboard}
          onRestored={(restored) => {
            setDashboard(restored);
            setShowHistory(false);
            setNotice(`Restored an earlier version; this is now version ${restored.version}.`);
          }}
          onClose={() => setShowHistory(false)}
        />
      )}
      <FilterBar
        filters={dashboard.filters}
        values={values}
        onChange={(id, v) => setValues({ ...values, [id]: v })}
        sourceFor={sourceFor}
      />
      {dashboard.widgets.length === 0 && <p className="empty muted">This dashboard has no widgets yet.</p>}
      {editingLayout ? (
        <Suspense fallback={<p className="muted">Loading the layout editor…</p>}>
          <LayoutEditor dashboard={dashboard} onSave={saveLayout} onCancel={() => setEditingLayout(false)} />
        </Suspense>
      ) : (
        <div className="grid" data-testid="dashboard-grid">
          {ordered.map((widget) => {
            const cell = cells.get(widget.id) ?? { x: 0, y: 999, w: 6, h: 4 };
            return (
              <WidgetCard
                key={widget.id}
                widget={widget}
                cell={cell}
                extra={extraFor(widget)}
                refreshKey={refreshKey}
                onSelect={crossFilter}
                onEdit={
                  canEdit ? () => navigate(`/dashboards/${dashboard.id}/widgets/${widget.id}`) : undefined
                }
                onDelete={canEdit ? () => deleteWidget(widget) : undefined}
              />
            );
          })}
        </div>
      )}
    </div>
  );
}

function WidgetCard(props: {
  widget: Widget;
  cell: { x: number; y: number; w: number; h: number };
  extra: FilterNode[];
  refreshKey: number;
  onSelect?: (column: string, value: unknown) => void;
  onEdit?: () => void;
  onDelete?: () => void;
}) {
  const { widget, cell } = props;
  const [result, setResult] = useState<QueryResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(Boolean(widget.query));
  const query = widget.query ? withFilters(widget.query, props.extra) : null;
  const key = JSON.stringify(query);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the serialized query is the dependency
  useEffect(() => {
    if (!query) return;
    const abort = new AbortController();
    setLoading(true);
    setError(null);
    api<QueryResult>('POST', '/query', query, {
      signal: abort.signal,
      headers: props.refreshKey > 0 ? { 'cache-control': 'no-cache' } : undefined,
    })
      .then((r) => {
        setResult(r);
        setLoading(false);
      })
      .catch((e) => {
        if (abort.signal.aborted) return;
        setError(errorMessage(e));
        setLoading(false);
      });
    return () => abort.abort();
  }, [key, props.refreshKey]);

  const title = widget.title || widget.id;
  const state = error ? 'error' : loading ? 'loading' : 'ready';
  const timing = result
    ? `${result.durationMs.toFixed(0)} ms${result.cached ? ' · cached' : ''}${result.truncated ? ' · truncated' : ''}`
    : '';
  return (
    <section
      className={`widget widget-${widget.visualization.type}`}
      data-widget-id={widget.id}
      data-state={state}
      aria-busy={loading}
      aria-label={title}
      style={{
        ['--x' as string]: cell.x + 1,
        ['--y' as string]: cell.y + 1,
        ['--w' as string]: cell.w,
        ['--h' as string]: cell.h,
      }}
    >
      <header className="widgethead">
        <h2>{title}</h2>
        {result && (
          <button
            type="button"
            className="timing"
            aria-label={`Query took ${result.durationMs.toFixed(1)} ms${result.cached ? ', served from cache' : ''}`}
          >
            <span className="infoicon" aria-hidden="true">
              i
            </span>
            <span className="timingtext">{timing}</span>
          </button>
        )}
        {props.onEdit && (
          <button
            type="button"
            className="icon"
            onClick={props.onEdit}
            aria-label={`Edit ${title}`}
            title="Edit"
          >
            ✎
          </button>
        )}
        {props.onDelete && (
          <button
            type="button"
            className="icon"
            onClick={props.onDelete}
            aria-label={`Delete ${title}`}
            title="Delete"
          >
            ×
          </button>
        )}
      </header>
      <div className="widgetbody">
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : (
          <WidgetBody
            visualization={widget.visualization}
            result={result}
            label={title}
            onSelect={props.onSelect}
            pageSize={Math.max(5, Math.floor((64 * cell.h - 110) / 23))}
          />
        )}
        {loading && <output className="spinner" aria-label="Loading" />}
      </div>
    </section>
  );
}

interface VersionSummary {
  version: number;
  authorId: number;
  createdAt: string;
  name: string;
}

function VersionHistory(props: {
  dashboard: Dashboard;
  onRestored: (d: Dashboard) => void;
  onClose: () => void;
}) {
  const [versions, setVersions] = useState<VersionSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new version (after a save) reloads the list
  useEffect(() => {
    api<{ items: VersionSummary[] }>('GET', `/dashboards/${props.dashboard.id}/versions`)
      .then((r) => setVersions([...r.items].sort((a, b) => b.version - a.version)))
      .catch(setError);
  }, [props.dashboard.id, props.dashboard.version]);
  const restore = async (version: number) => {
    if (!confirm(`Restore version ${version}? The current state stays in the history.`)) return;
    try {
      await api('POST', `/dashboards/${props.dashboard.id}/versions/${version}/restore`);
      props.onRestored(await api<Dashboard>('GET', `/dashboards/${props.dashboard.id}`));
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <section className="card history" aria-label="Version history">
      <header className="widgethead">
        <h2>Version history</h2>
        <button type="button" className="icon" aria-label="Close version history" onClick={props.onClose}>
          ×
        </button>
      </header>
      <ErrorNote error={error} />
      {!versions ? (
        <p className="muted">Loading…</p>
      ) : (
        <table>
          <tbody>
            {versions.map((v) => (
              <tr key={v.version}>
                <td>v{v.version}</td>
                <td>{v.name}</td>
                <td className="muted">{new Date(v.createdAt).toLocaleString()}</td>
                <td>
                  {v.version === props.dashboard.version ? (
                    <span className="tag">current</span>
                  ) : (
                    <button type="button" onClick={() => restore(v.version)}>
                      Restore
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
