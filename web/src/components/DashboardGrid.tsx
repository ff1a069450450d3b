import { type ComponentProps, useCallback, useEffect, useMemo, useState } from 'react';
import { fillTemplate } from '../../../src/core/content/variables.ts';
import type { VariableValues } from '../../../src/core/query/variables.ts';
import { api, errorMessage } from '../api.ts';
import type { Dashboard, DataSource, FilterNode, QueryResult, Widget } from '../types.ts';
import type { FilterBar } from './FilterBar.tsx';
import { valueFromDefault } from './filter-defaults.ts';
import { type FilterValue, ruleFor, withFilters } from './filters.ts';
import { queryWithVariables } from './VariableBar.tsx';
import { WidgetBody } from './WidgetBody.tsx';

/*
 * A dashboard's widgets on their grid and the state of its filters: what the dashboard page and
 * the embed view show alike.
 */

export type FilterValues = Record<string, FilterValue | undefined>;

/**
 * The dashboard filters' values and how they reach the widgets: a filter applies to each widget
 * whose data source has its field (sources it cannot read get them all); a click on a chart
 * category toggles the values filter on that field (cross-filter).
 */
const defaultValues = (dashboard: Dashboard | null): FilterValues =>
  Object.fromEntries((dashboard?.filters ?? []).map((f) => [f.id, valueFromDefault(f)]));

export function useDashboardFilters(dashboard: Dashboard | null) {
  const [sources, setSources] = useState<DataSource[]>([]);
  // The user's choices hold until the dashboard or its filter defaults change; then the filters
  // start again from their defaults, in the same render, so widgets never query without them.
  const defaultsKey = dashboard
    ? `${dashboard.id}:${JSON.stringify(dashboard.filters.map((f) => [f.id, f.type, f.default]))}`
    : '';
  const [chosen, setChosen] = useState<{ key: string; values: FilterValues }>({ key: '', values: {} });
  const values = useMemo(
    () => (chosen.key === defaultsKey ? chosen.values : defaultValues(dashboard)),
    [chosen, defaultsKey, dashboard],
  );
  const setValues = (next: FilterValues) => setChosen({ key: defaultsKey, values: next });

  useEffect(() => {
    api<{ items: DataSource[] }>('GET', '/data-sources')
      .then((r) => setSources(r.items))
      .catch(() => {});
  }, []);

  const columnsOf = useMemo(() => {
    const map = new Map<string, Set<string>>();
    for (const s of sources) {
      const names = new Set(s.columns.map((c) => c.name));
      map.set(s.uuid, names);
      map.set(String(s.id), names);
    }
    return map;
  }, [sources]);

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

  const crossFilter = (column: string, value: unknown) => {
    const filter = dashboard?.filters.find((f) => f.type === 'values' && f.field === column);
    if (!filter || value === undefined) return;
    const current = values[filter.id];
    const same = current?.kind === 'values' && current.values.length === 1 && current.values[0] === value;
    setValues({ ...values, [filter.id]: same ? undefined : { kind: 'values', values: [value as string] } });
  };

  const filterBar: ComponentProps<typeof FilterBar> = {
    filters: dashboard?.filters ?? [],
    values,
    onChange: (id, value) => setValues({ ...values, [id]: value }),
    sourceFor,
  };
  return { values, filterBar, extraFor, crossFilter };
}

export function DashboardGrid(props: {
  dashboard: Dashboard;
  extraFor: (widget: Widget) => FilterNode[];
  /** The variable values of the view: queries take those they use, titles and texts `{{name}}`. */
  variables: VariableValues;
  refreshKey: number;
  onSelect: (column: string, value: unknown) => void;
  /** Absent where the viewer may not edit (no edit controls are drawn). */
  onEdit?: (widget: Widget) => void;
  onDelete?: (widget: Widget) => void;
}) {
  const { dashboard, onEdit, onDelete } = props;
  if (dashboard.widgets.length === 0)
    return <p className="empty muted">This dashboard has no widgets yet.</p>;
  const cells = new Map(dashboard.layout.map((c) => [c.widgetId, c]));
  const ordered = [...dashboard.widgets].sort((a, b) => {
    const ca = cells.get(a.id);
    const cb = cells.get(b.id);
    return (ca?.y ?? 999) - (cb?.y ?? 999) || (ca?.x ?? 0) - (cb?.x ?? 0);
  });
  return (
    <div className="grid" data-testid="dashboard-grid">
      {ordered.map((widget) => (
        <WidgetCard
          key={widget.id}
          widget={widget}
          cell={cells.get(widget.id) ?? { x: 0, y: 999, w: 6, h: 4 }}
          extra={props.extraFor(widget)}
          variables={props.variables}
          refreshKey={props.refreshKey}
          onSelect={props.onSelect}
          onEdit={onEdit && (() => onEdit(widget))}
          onDelete={onDelete && (() => onDelete(widget))}
        />
      ))}
    </div>
  );
}

function WidgetCard(props: {
  widget: Widget;
  cell: { x: number; y: number; w: number; h: number };
  extra: FilterNode[];
  variables: VariableValues;
  refreshKey: number;
  onSelect?: (column: string, value: unknown) => void;
  onEdit?: () => void;
  onDelete?: () => void;
}) {
  const { widget, cell } = props;
  const [result, setResult] = useState<QueryResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(Boolean(widget.query));
  const query = widget.query
    ? queryWithVariables(withFilters(widget.query, props.extra), props.variables)
    : null;
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

  const title = fillTemplate(widget.title || widget.id, props.variables);
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
            variables={props.variables}
            onSelect={props.onSelect}
            pageSize={Math.max(5, Math.floor((64 * cell.h - 110) / 23))}
          />
        )}
        {loading && <output className="spinner" aria-label="Loading" />}
      </div>
    </section>
  );
}
