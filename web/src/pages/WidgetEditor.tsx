import { useEffect, useMemo, useState } from 'react';
import { fillTemplate } from '../../../src/core/content/variables.ts';
import { columnLabel } from '../../../src/core/exports/present.ts';
import { ErrorNote } from '../App.tsx';
import { api, errorMessage } from '../api.ts';
import { ChartAxes } from '../components/ChartAxes.tsx';
import {
  FilterValueInput,
  type FilterValueRow,
  filterValueRow,
  filterValues,
} from '../components/FilterValueInput.tsx';
import {
  AggregationSelect,
  findQuerySource,
  type MetricChoice,
  MODEL_METRIC,
  metricChoiceOf,
  queryMetricOf,
  SourceSelect,
  useQuerySources,
} from '../components/ModelSourcePicker.tsx';
import { RemoveButton } from '../components/RemoveButton.tsx';
import { queryWithVariables, useDashboardVariables } from '../components/VariableBar.tsx';
import { WidgetBody } from '../components/WidgetBody.tsx';
import { Link, navigate } from '../router.tsx';
import type { Dashboard, FilterNode, Query, QueryResult, Visualization } from '../types.ts';

const GRANULARITIES = ['year', 'quarter', 'month', 'week', 'day', 'hour'];
const OPERATORS = ['=', '!=', '>', '>=', '<', '<=', 'contains', 'starts with', 'between', 'null', 'not null'];
const TYPES: { id: string; label: string }[] = [
  { id: 'table', label: 'Table' },
  { id: 'bar', label: 'Bar' },
  { id: 'stacked_bar', label: 'Stacked bar' },
  { id: 'line', label: 'Line' },
  { id: 'area', label: 'Area' },
  { id: 'pie', label: 'Pie' },
  { id: 'donut', label: 'Donut' },
  { id: 'scatter', label: 'Scatter' },
  { id: 'kpi', label: 'KPI number' },
  { id: 'pivot', label: 'Pivot' },
  { id: 'text', label: 'Text' },
];

/** Rows of the builder's lists carry a key of their own, so removing one keeps the others' inputs. */
interface Keyed {
  key: number;
}
let lastRowKey = 0;
const keyed = <T extends object>(row: T): T & Keyed => ({ ...row, key: ++lastRowKey });

interface DimensionRow extends Keyed {
  field: string;
  granularity: string;
}
interface MetricRow extends MetricChoice, Keyed {}
interface FilterRow extends Keyed, FilterValueRow {
  field: string;
}
interface SortRow extends Keyed {
  field: string;
  descending: boolean;
}

const isTime = (type: string | undefined) => type === 'date' || type === 'datetime';
// Result-column names follow the server's rule: bare field names, model metrics by name.
const bare = (field: string) => field.slice(field.lastIndexOf('.') + 1);
const dimName = (d: DimensionRow) => (d.granularity ? `${bare(d.field)}_${d.granularity}` : bare(d.field));
const metricName = (m: MetricRow) =>
  m.aggregation === MODEL_METRIC
    ? m.field
    : m.aggregation === 'count' && !m.field
      ? 'count'
      : `${m.aggregation}_${bare(m.field)}`;

/**
 * The query builder: a widget editor inside a dashboard (`dashboardId`), or Explore on its own.
 * Every change re-runs the query (debounced) for the live preview.
 */
export function WidgetEditorPage(props: { dashboardId?: string; widgetId?: string; source?: string }) {
  const [dashboard, setDashboard] = useState<Dashboard | null>(null);
  const [source, setSource] = useState(props.source ?? '');
  const [title, setTitle] = useState('');
  const [type, setType] = useState('bar');
  const [text, setText] = useState('');
  const [chartOptions, setChartOptions] = useState<Record<string, unknown>>({});
  const [dimensions, setDimensions] = useState<DimensionRow[]>([]);
  const [metrics, setMetrics] = useState<MetricRow[]>([]);
  const [filters, setFilters] = useState<FilterRow[]>([]);
  const [sorts, setSorts] = useState<SortRow[]>([]);
  const [limit, setLimit] = useState(500);
  const [result, setResult] = useState<QueryResult | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [sql, setSql] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [dashboards, setDashboards] = useState<{ id: number; name: string }[]>([]);
  const [target, setTarget] = useState('');
  const sources = useQuerySources(setError);

  // biome-ignore lint/correctness/useExhaustiveDependencies: default once, when the sources arrive
  useEffect(() => {
    if (!props.source && !props.widgetId && sources?.[0]) setSource((s) => s || sources[0].value);
  }, [sources]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: load once per page
  useEffect(() => {
    if (!props.dashboardId) {
      api<{ items: { id: number; name: string }[] }>('GET', '/dashboards')
        .then((r) => setDashboards(r.items))
        .catch(() => {});
    }
    if (props.dashboardId) {
      api<Dashboard>('GET', `/dashboards/${props.dashboardId}`)
        .then((d) => {
          setDashboard(d);
          const widget = props.widgetId ? d.widgets.find((w) => w.id === props.widgetId) : undefined;
          if (props.widgetId && !widget) setError(new Error(`no widget ${props.widgetId} in this dashboard`));
          if (widget) loadWidget(widget.title ?? '', widget.query ?? null, widget.visualization);
        })
        .catch(setError);
    }
  }, [props.dashboardId, props.widgetId]);

  function loadWidget(widgetTitle: string, query: Query | null, visualization: Visualization) {
    setTitle(widgetTitle);
    setType(visualization.type);
    const { text: widgetText, ...options } = visualization.options ?? {};
    setText(String(widgetText ?? ''));
    setChartOptions(options);
    if (!query) return;
    setSource(query.source);
    setDimensions(
      (query.dimensions ?? []).map((d) =>
        keyed(
          typeof d === 'string'
            ? { field: d, granularity: '' }
            : { field: d.field, granularity: d.granularity ?? '' },
        ),
      ),
    );
    setMetrics((query.metrics ?? []).map((m) => keyed(metricChoiceOf(m))));
    const rules =
      query.filters && 'and' in query.filters ? query.filters.and : query.filters ? [query.filters] : [];
    setFilters(
      rules.flatMap((r) =>
        'field' in r ? [keyed({ field: r.field, operator: r.operator, ...filterValueRow(r.values) })] : [],
      ),
    );
    setSorts(
      (query.sorts ?? []).map((s) =>
        keyed(
          typeof s === 'string'
            ? { field: s, descending: false }
            : { field: s.field, descending: Boolean(s.descending) },
        ),
      ),
    );
    setLimit(query.limit ?? 500);
  }

  const current = findQuerySource(sources, source);
  const columns = current?.fields ?? [];
  const typeOf = (field: string) => columns.find((c) => c.name === field)?.type;

  // biome-ignore lint/correctness/useExhaustiveDependencies: typeOf derives from columns
  const query: Query | null = useMemo(() => {
    if (!source || type === 'text') return null;
    const q: Query = { source, limit };
    const dims = dimensions.filter((d) => d.field);
    if (dims.length)
      q.dimensions = dims.map((d) =>
        d.granularity ? { field: d.field, granularity: d.granularity } : d.field,
      );
    const mets = metrics.filter((m) => m.field || m.aggregation === 'count');
    if (mets.length) q.metrics = mets.map(queryMetricOf);
    const rules: FilterNode[] = filters
      .filter((f) => f.field)
      .map((f) => ({
        field: f.field,
        operator: f.operator,
        values: filterValues(f, typeOf(f.field)),
      }));
    if (rules.length) q.filters = { and: rules };
    const srt = sorts.filter((s) => s.field);
    if (srt.length) q.sorts = srt.map((s) => ({ field: s.field, descending: s.descending }));
    if (!dims.length && !mets.length) (q as Query & { aggregate?: boolean }).aggregate = false;
    return q;
  }, [source, type, limit, dimensions, metrics, filters, sorts, columns]);
  // The preview runs with the dashboard's defaults; the saved query keeps its variable references.
  const variables = useDashboardVariables(dashboard).values;
  const preview = query && queryWithVariables(query, variables);
  const queryKey = JSON.stringify(preview);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the serialized query is the dependency
  useEffect(() => {
    if (!preview) {
      setResult(null);
      return;
    }
    const abort = new AbortController();
    const timer = setTimeout(() => {
      setRunning(true);
      api<QueryResult>('POST', '/query', preview, { signal: abort.signal })
        .then((r) => {
          setResult(r);
          setPreviewError(null);
        })
        .catch((e) => {
          if (!abort.signal.aborted) setPreviewError(errorMessage(e));
        })
        .finally(() => setRunning(false));
      api<{ sql: string }>('POST', '/query/sql', preview, { signal: abort.signal })
        .then((r) => setSql(r.sql))
        .catch(() => setSql(null));
    }, 250);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [queryKey]);

  const visualization: Visualization = useMemo(
    () => (type === 'text' ? { type, options: { text } } : { type, options: chartOptions }),
    [type, text, chartOptions],
  );

  const save = async () => {
    const dashboardId = props.dashboardId ?? target;
    if (!dashboardId) return;
    setSaving(true);
    setError(null);
    const body = { title: title || undefined, query, visualization };
    try {
      if (props.widgetId) {
        await api('PATCH', `/dashboards/${dashboardId}/widgets/${props.widgetId}`, body);
      } else {
        const into = dashboard ?? (await api<Dashboard>('GET', `/dashboards/${dashboardId}`));
        const bottom = into.layout.reduce((max, c) => Math.max(max, c.y + c.h), 0);
        const size =
          type === 'kpi'
            ? { w: 3, h: 3 }
            : type === 'table' || type === 'pivot'
              ? { w: 12, h: 6 }
              : { w: 6, h: 5 };
        await api('POST', `/dashboards/${dashboardId}/widgets`, {
          ...body,
          layout: { x: 0, y: bottom, ...size },
        });
      }
      navigate(`/dashboards/${dashboardId}`);
    } catch (caught) {
      setError(caught);
      setSaving(false);
    }
  };

  const fieldSelect = (value: string, onChange: (v: string) => void, label: string, extra?: string) => (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{extra ?? 'Choose a field'}</option>
      {columns.map((c) => (
        <option key={c.name} value={c.name}>
          {c.name} ({c.type})
        </option>
      ))}
    </select>
  );
  const sortChoices = [
    ...dimensions.filter((d) => d.field).map(dimName),
    ...metrics.filter((m) => m.field || m.aggregation === 'count').map(metricName),
  ];

  return (
    <div className="editor">
      <div className="toolbar">
        <div>
          <p className="crumbs">
            {props.dashboardId ? (
              <>
                <Link to="/">Dashboards</Link> /{' '}
                <Link to={`/dashboards/${props.dashboardId}`}>{dashboard?.name ?? '…'}</Link> /
              </>
            ) : (
              <Link to="/">Dashboards</Link>
            )}
          </p>
          <h1>{props.dashboardId ? (props.widgetId ? 'Edit widget' : 'New widget') : 'Explore'}</h1>
        </div>
        {!props.dashboardId && (
          <div className="actions">
            <input
              aria-label="Widget title"
              placeholder="Widget title"
              value={title}
              onChange={(e) => setTitle(e.target.value)}
            />
            <select aria-label="Save to dashboard" value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value="">Save to dashboard…</option>
              {dashboards.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
            <button type="button" className="primary" onClick={save} disabled={!target || saving || !query}>
              Save as widget
            </button>
          </div>
        )}
        {props.dashboardId && (
          <div className="actions">
            <button type="button" onClick={() => navigate(`/dashboards/${props.dashboardId}`)}>
              Cancel
            </button>
            <button
              type="button"
              className="primary"
              onClick={save}
              disabled={saving || (!query && type !== 'text')}
            >
              {saving ? 'Saving…' : 'Save widget'}
            </button>
          </div>
        )}
      </div>
      <ErrorNote error={error} />
      <div className="editorgrid">
        <form className="card builder" onSubmit={(e) => e.preventDefault()} aria-label="Query">
          {props.dashboardId && (
            <label>
              Title
              <input
                name="title"
                value={title}
                onChange={(e) => setTitle(e.target.value)}
                placeholder="Widget title"
              />
            </label>
          )}
          <label>
            Chart type
            <select name="type" value={type} onChange={(e) => setType(e.target.value)}>
              {TYPES.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.label}
                </option>
              ))}
            </select>
          </label>
          {type === 'text' ? (
            <label>
              Text
              <textarea rows={6} value={text} onChange={(e) => setText(e.target.value)} />
            </label>
          ) : (
            <>
              <SourceSelect
                sources={sources}
                value={current?.value ?? source}
                onChange={(value) => {
                  setSource(value);
                  setDimensions([]);
                  setMetrics([]);
                  setFilters([]);
                  setSorts([]);
                }}
              />
              <fieldset>
                <legend>Dimensions</legend>
                {dimensions.map((d, i) => (
                  <div className="row" key={d.key}>
                    {fieldSelect(
                      d.field,
                      (v) =>
                        setDimensions(
                          replace(dimensions, i, {
                            ...d,
                            field: v,
                            granularity: isTime(typeOf(v)) ? 'month' : '',
                          }),
                        ),
                      `Dimension ${i + 1}`,
                    )}
                    {isTime(typeOf(d.field)) && (
                      <select
                        aria-label={`Dimension ${i + 1} granularity`}
                        value={d.granularity}
                        onChange={(e) =>
                          setDimensions(replace(dimensions, i, { ...d, granularity: e.target.value }))
                        }
                      >
                        <option value="">exact</option>
                        {GRANULARITIES.map((g) => (
                          <option key={g} value={g}>
                            by {g}
                          </option>
                        ))}
                      </select>
                    )}
                    <RemoveButton
                      label={`Remove dimension ${i + 1}`}
                      onClick={() => setDimensions(remove(dimensions, i))}
                    />
                  </div>
                ))}
                <button
                  type="button"
                  className="link"
                  onClick={() => setDimensions([...dimensions, keyed({ field: '', granularity: '' })])}
                >
                  + Add dimension
                </button>
              </fieldset>
              <fieldset>
                <legend>Metrics</legend>
                {metrics.map((m, i) => (
                  <div className="row" key={m.key}>
                    <AggregationSelect
                      label={`Metric ${i + 1} aggregation`}
                      row={m}
                      metrics={current?.metrics ?? []}
                      onChange={(row) => setMetrics(replace(metrics, i, { ...m, ...row }))}
                    />
                    {m.aggregation !== MODEL_METRIC &&
                      fieldSelect(
                        m.field,
                        (v) => setMetrics(replace(metrics, i, { ...m, field: v })),
                        `Metric ${i + 1} field`,
                        m.aggregation === 'count' ? 'rows' : undefined,
                      )}
                    <RemoveButton
                      label={`Remove metric ${i + 1}`}
                      onClick={() => setMetrics(remove(metrics, i))}
                    />
                  </div>
                ))}
                <button
                  type="button"
                  className="link"
                  onClick={() => setMetrics([...metrics, keyed({ field: '', aggregation: 'sum' })])}
                >
                  + Add metric
                </button>
              </fieldset>
              {result && (
                <ChartAxes
                  type={type}
                  columns={result.columns}
                  options={chartOptions}
                  onChange={setChartOptions}
                />
              )}
              <fieldset>
                <legend>Filters</legend>
                {filters.map((f, i) => (
                  <div className="row" key={f.key}>
                    {fieldSelect(
                      f.field,
                      (v) => setFilters(replace(filters, i, { ...f, field: v })),
                      `Filter ${i + 1} field`,
                    )}
                    <select
                      aria-label={`Filter ${i + 1} operator`}
                      value={f.operator}
                      onChange={(e) => setFilters(replace(filters, i, { ...f, operator: e.target.value }))}
                    >
                      {OPERATORS.map((o) => (
                        <option key={o} value={o}>
                          {o}
                        </option>
                      ))}
                    </select>
                    <FilterValueInput
                      number={i + 1}
                      row={f}
                      variables={dashboard?.variables ?? []}
                      onChange={(change) => setFilters(replace(filters, i, { ...f, ...change }))}
                    />
                    <RemoveButton
                      label={`Remove filter ${i + 1}`}
                      onClick={() => setFilters(remove(filters, i))}
                    />
                  </div>
                ))}
                <button
                  type="button"
                  className="link"
                  onClick={() =>
                    setFilters([...filters, keyed({ field: '', operator: '=', value: '', variable: '' })])
                  }
                >
                  + Add filter
                </button>
              </fieldset>
              <fieldset>
                <legend>Sort and limit</legend>
                {sorts.map((s, i) => (
                  <div className="row" key={s.key}>
                    <select
                      aria-label={`Sort ${i + 1} column`}
                      value={s.field}
                      onChange={(e) => setSorts(replace(sorts, i, { ...s, field: e.target.value }))}
                    >
                      <option value="">Choose a column</option>
                      {sortChoices.map((c) => (
                        <option key={c} value={c}>
                          {columnLabel(c)}
                        </option>
                      ))}
                    </select>
                    <select
                      aria-label={`Sort ${i + 1} direction`}
                      value={s.descending ? 'desc' : 'asc'}
                      onChange={(e) =>
                        setSorts(replace(sorts, i, { ...s, descending: e.target.value === 'desc' }))
                      }
                    >
                      <option value="asc">ascending</option>
                      <option value="desc">descending</option>
                    </select>
                    <RemoveButton label={`Remove sort ${i + 1}`} onClick={() => setSorts(remove(sorts, i))} />
                  </div>
                ))}
                <button
                  type="button"
                  className="link"
                  onClick={() =>
                    setSorts([...sorts, keyed({ field: sortChoices[0] ?? '', descending: false })])
                  }
                >
                  + Add sort
                </button>
                <label className="inline">
                  Limit
                  <input
                    type="number"
                    className="narrow"
                    min={1}
                    value={limit}
                    onChange={(e) => setLimit(Math.max(1, Number(e.target.value) || 1))}
                  />
                </label>
              </fieldset>
            </>
          )}
        </form>
        <section
          className="card preview"
          aria-label="Preview"
          data-state={running ? 'loading' : previewError ? 'error' : result ? 'ready' : 'empty'}
        >
          <header className="widgethead">
            <h2>{fillTemplate(title || 'Preview', variables)}</h2>
            {result && (
              <span className="muted small">
                {result.rows.length} rows · {result.durationMs.toFixed(0)} ms
                {result.cached ? ' · cached' : ''}
              </span>
            )}
          </header>
          <div className="widgetbody previewbody">
            {previewError ? (
              <p className="error" role="alert">
                {previewError}
              </p>
            ) : type === 'text' ? (
              <WidgetBody visualization={visualization} result={null} label={title} variables={variables} />
            ) : result ? (
              <WidgetBody visualization={visualization} result={result} label={title || 'Preview'} />
            ) : (
              <p className="muted center">Pick a data source, dimensions and metrics.</p>
            )}
            {running && <output className="spinner" aria-label="Running" />}
          </div>
          {sql && (
            <details className="sql">
              <summary>SQL</summary>
              <pre>{sql}</pre>
            </details>
          )}
        </section>
      </div>
    </div>
  );
}

function replace<T>(list: T[], index: number, item: T): T[] {
  return list.map((x, i) => (i === index ? item : x));
}
function remove<T>(list: T[], index: number): T[] {
  return list.filter((_, i) => i !== index);
}
