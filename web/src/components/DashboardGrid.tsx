import { type ComponentProps, useMemo, useState } from 'react';
import { fillTemplate } from '../../../src/core/content/variables.ts';
import type { VariableValues } from '../../../src/core/query/variables.ts';
import { api } from '../api.ts';
import { navigate } from '../router.tsx';
import type { Dashboard, DashboardFilter, Scalar, Widget } from '../types.ts';
import { BellIcon } from './BellIcon.tsx';
import type { FilterBar } from './FilterBar.tsx';
import { filtersFromUrl, filtersToUrl } from './filter-url.ts';
import { type FilterValue, requestFilters } from './filters.ts';
import { WidgetBody } from './WidgetBody.tsx';
import { useWidgetResult } from './widget-result.ts';

/*
 * A dashboard's widgets on their grid and the state of its filters: what the dashboard page and
 * the embed view show alike. Widgets read their data through the dashboard
 * (`POST /dashboards/:id/widgets/:widgetId/results`), never as ad-hoc queries: viewers and embeds
 * may see a dashboard without being allowed to query its sources.
 */

export type FilterValues = Record<string, FilterValue | undefined>;

/**
 * The dashboard filters' values: the server applies each to the widgets whose data has its field;
 * a click on a chart category toggles the values filter on that field (cross-filter).
 */
const startValues = (dashboard: Dashboard | null): FilterValues =>
  filtersFromUrl(dashboard?.filters ?? [], new URLSearchParams(location.search));

export function useDashboardFilters(dashboard: Dashboard | null) {
  // The user's choices hold until the dashboard or its filter defaults change; then the filters
  // start again from the URL over their defaults, in the same render, so widgets never query
  // without them. Every choice goes into the URL, so a reload or a shared link shows the same view.
  const defaultsKey = dashboard
    ? `${dashboard.id}:${JSON.stringify(dashboard.filters.map((f) => [f.id, f.type, f.default]))}`
    : '';
  const [chosen, setChosen] = useState<{ key: string; values: FilterValues }>({ key: '', values: {} });
  const values = useMemo(
    () => (chosen.key === defaultsKey ? chosen.values : startValues(dashboard)),
    [chosen, defaultsKey, dashboard],
  );
  const setValues = (next: FilterValues) => {
    setChosen({ key: defaultsKey, values: next });
    const search = filtersToUrl(dashboard?.filters ?? [], next, new URLSearchParams(location.search));
    const query = search.toString();
    history.replaceState(
      history.state,
      '',
      `${location.pathname}${query ? `?${query}` : ''}${location.hash}`,
    );
  };

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
    choicesOf: (filter: DashboardFilter) =>
      api<{ values: Scalar[] }>('GET', `/dashboards/${dashboard?.id}/filters/${filter.id}/values`).then(
        (r) => r.values,
      ),
  };
  return { values, filters: requestFilters(values), filterBar, crossFilter };
}

export function DashboardGrid(props: {
  dashboard: Dashboard;
  /** The view's filter values as the server takes them (`useDashboardFilters().filters`). */
  filters: Record<string, unknown>;
  /** The variable values of the view: queries take those they use, titles and texts `{{name}}`. */
  variables: VariableValues;
  refreshKey: number;
  onSelect: (column: string, value: unknown) => void;
  /** Absent where the viewer may not edit (no edit controls are drawn). */
  onEdit?: (widget: Widget) => void;
  onDelete?: (widget: Widget) => void;
  /** Downloads the widget's data as CSV, with the view's filters. */
  onExport?: (widget: Widget) => void;
  /** Opens "Alert when…" on the widget; absent for those who may not set alerts. */
  onAlert?: (widget: Widget) => void;
}) {
  const { dashboard, onEdit, onDelete, onExport, onAlert } = props;
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
          dashboard={dashboard}
          widget={widget}
          cell={cells.get(widget.id) ?? { x: 0, y: 999, w: 6, h: 4 }}
          filters={props.filters}
          variables={props.variables}
          refreshKey={props.refreshKey}
          onSelect={props.onSelect}
          onEdit={onEdit && (() => onEdit(widget))}
          onDelete={onDelete && (() => onDelete(widget))}
          onExport={onExport && widget.query ? () => onExport(widget) : undefined}
          onAlert={onAlert && widget.query ? () => onAlert(widget) : undefined}
        />
      ))}
    </div>
  );
}

function WidgetCard(props: {
  dashboard: Dashboard;
  widget: Widget;
  cell: { x: number; y: number; w: number; h: number };
  filters: Record<string, unknown>;
  variables: VariableValues;
  refreshKey: number;
  onSelect?: (column: string, value: unknown) => void;
  onEdit?: () => void;
  onDelete?: () => void;
  onExport?: () => void;
  onAlert?: () => void;
}) {
  const { widget, cell } = props;
  const { result, error, loading } = useWidgetResult(props);
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
        {props.onExport && (
          <button
            type="button"
            className="icon"
            onClick={props.onExport}
            aria-label={`Download ${title} as CSV`}
            title="Download CSV"
          >
            ⤓
          </button>
        )}
        {props.onAlert && (
          <button
            type="button"
            className="icon"
            onClick={props.onAlert}
            aria-haspopup="dialog"
            aria-label={`Alert when… ${title}`}
            title="Alert when…"
          >
            <BellIcon />
          </button>
        )}
        {props.onEdit && widget.chartId && (
          // A tile showing a saved chart is edited on the chart, which every dashboard showing it follows.
          <button
            type="button"
            className="icon"
            onClick={() => navigate(`/charts/${widget.chartId}`)}
            aria-label={`Open chart ${title}`}
            title="Open chart"
          >
            ↗
          </button>
        )}
        {props.onEdit && !widget.chartId && (
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

/** A widget's title and drawn data, without its controls: what the layout editor moves around. */
export function WidgetPreview(props: {
  dashboard: Dashboard;
  widget: Widget;
  filters: Record<string, unknown>;
  variables: VariableValues;
  refreshKey: number;
}) {
  const { result, error } = useWidgetResult(props);
  if (error) return <p className="error">{error}</p>;
  return (
    <WidgetBody
      visualization={props.widget.visualization}
      result={result}
      label={fillTemplate(props.widget.title || props.widget.id, props.variables)}
      variables={props.variables}
      pageSize={5}
    />
  );
}
