import { useEffect, useMemo, useState } from 'react';
import { fillTemplate } from '../../../src/core/content/variables.ts';
import { isChartType } from '../../../src/core/exports/chart-options.ts';
import { ErrorNote } from '../App.tsx';
import { api, errorMessage } from '../api.ts';
import { ChartAxes } from '../components/ChartAxes.tsx';
import { ChartSettings } from '../components/ChartSettings.tsx';
import { ChartTypeSelect } from '../components/ChartTypeSelect.tsx';
import { findQuerySource, SourceSelect, useQuerySources } from '../components/ModelSourcePicker.tsx';
import { AdvancedSection } from '../components/QueryAdvancedSection.tsx';
import { CalculationsSection } from '../components/QueryCalculationsSection.tsx';
import {
  CustomColumnsSection,
  DimensionsSection,
  MetricsSection,
} from '../components/QueryFieldSections.tsx';
import { FiltersSection, SortSection } from '../components/QueryFilterSections.tsx';
import { QueryPreview } from '../components/QueryPreview.tsx';
import {
  customFields,
  emptyDraft,
  fieldErrors,
  metricColumns,
  postColumns,
  type QueryDraft,
  queryOf,
  suggestedType,
} from '../components/query-draft.ts';
import { followRenames } from '../components/query-renames.ts';
import { SaveChart } from '../components/SaveChart.tsx';
import { draftOf } from '../components/saved-query-draft.ts';
import { queryWithVariables, useDashboardVariables } from '../components/VariableBar.tsx';
import { inProject, useProjectId } from '../project.ts';
import { Link, navigate } from '../router.tsx';
import type { Dashboard, Query, QueryResult, Visualization } from '../types.ts';

/**
 * The query builder: a widget editor inside a dashboard (`dashboardId`), or Explore on its own.
 * Every change re-runs the query (debounced) for the live preview.
 */
export function WidgetEditorPage(props: {
  dashboardId?: string;
  widgetId?: string;
  source?: string;
  /** A saved chart to edit (its query, visualization and name) instead of Explore. */
  chartId?: string;
}) {
  const [dashboard, setDashboard] = useState<Dashboard | null>(null);
  const [source, setSource] = useState(props.source ?? '');
  const [title, setTitle] = useState('');
  // '' = automatic: the type the query suggests (a table of the first rows at first).
  const [type, setType] = useState('');
  const [text, setText] = useState('');
  const [chartOptions, setChartOptions] = useState<Record<string, unknown>>({});
  const [draft, setDraft] = useState<QueryDraft>(emptyDraft);
  const [result, setResult] = useState<QueryResult | null>(null);
  const [previewError, setPreviewError] = useState<unknown>(null);
  const [running, setRunning] = useState(false);
  const [sql, setSql] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [dashboards, setDashboards] = useState<{ id: number; name: string }[]>([]);
  const [target, setTarget] = useState('');
  const sources = useQuerySources(setError);
  const projectId = useProjectId();

  // biome-ignore lint/correctness/useExhaustiveDependencies: default once, when the sources arrive
  useEffect(() => {
    if (!props.source && !props.widgetId && sources?.[0]) setSource((s) => s || sources[0].value);
  }, [sources]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: load once per page
  useEffect(() => {
    if (!props.dashboardId) {
      api<{ items: { id: number; name: string }[] }>('GET', inProject('/dashboards', projectId))
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
    setDraft(draftOf(query));
  }

  const current = findQuerySource(sources, source);
  const fields = current?.fields ?? [];
  const custom = customFields(draft, fields);
  const typeOf = (field: string) => [...fields, ...custom].find((c) => c.name === field)?.type;
  const chosenType = type || suggestedType(draft, typeOf);

  // biome-ignore lint/correctness/useExhaustiveDependencies: typeOf derives from the fields
  const built = useMemo(
    () => (source && chosenType !== 'text' ? queryOf(draft, source, typeOf) : null),
    [source, chosenType, draft, fields],
  );
  const query: Query | null = built?.query ?? null;
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
      // `count`: the preview says "showing 500 of 100,000 rows" when its limit cuts.
      api<QueryResult>('POST', '/query', { ...preview, count: true }, { signal: abort.signal })
        .then((r) => {
          setResult(r);
          setPreviewError(null);
        })
        .catch((e) => {
          if (!abort.signal.aborted) setPreviewError(e);
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
    () =>
      chosenType === 'text'
        ? { type: chosenType, options: { text } }
        : { type: chosenType, options: chartOptions },
    [chosenType, text, chartOptions],
  );
  // The first rows are shown as they are: a chart of raw rows draws nothing worth reading; a
  // pivot's columns are values of a dimension, which only its table shows.
  const rawRows = query?.aggregate === false && isChartType(chosenType);
  const pivoted = Boolean(query?.pivot) && chosenType !== 'table';
  const shown = rawRows || pivoted ? { type: 'table', options: chartOptions } : visualization;
  const errors = built ? fieldErrors(previewError, built.sent) : new Map<number | string, string>();

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
        // The server puts a widget without a cell into the first free space of the grid.
        await api('POST', `/dashboards/${dashboardId}/widgets`, body);
      }
      navigate(`/dashboards/${dashboardId}`);
    } catch (caught) {
      setError(caught);
      setSaving(false);
    }
  };

  const sections = {
    draft,
    fields,
    custom,
    onChange: (next: QueryDraft) => setDraft((prev) => followRenames(prev, next)),
  };
  const metricNames = new Set([...metricColumns(draft), ...postColumns(draft)]);

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
          <h1>
            {props.dashboardId
              ? props.widgetId
                ? 'Edit widget'
                : 'New widget'
              : props.chartId
                ? 'Edit chart'
                : 'Explore'}
          </h1>
        </div>
        {!props.dashboardId && (
          <div className="actions">
            <input
              aria-label="Widget title"
              placeholder="Widget title"
              value={title}
              onChange={(e) => setTitle(e.target.value)}
            />
            <SaveChart
              chartId={props.chartId}
              title={title}
              query={query}
              visualization={visualization}
              onLoad={loadWidget}
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
              disabled={saving || (!query && chosenType !== 'text')}
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
          <ChartTypeSelect value={type} suggested={suggestedType(draft, typeOf)} onChange={setType} />
          {chosenType === 'text' ? (
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
                  setDraft({ ...emptyDraft(), limit: draft.limit });
                }}
              />
              <CustomColumnsSection {...sections} errors={errors} />
              <DimensionsSection {...sections} errors={errors} />
              <MetricsSection {...sections} modelMetrics={current?.metrics ?? []} errors={errors} />
              <CalculationsSection {...sections} errors={errors} />
              {result && (
                <ChartAxes
                  type={chosenType}
                  columns={result.columns}
                  options={chartOptions}
                  onChange={setChartOptions}
                />
              )}
              {result && (
                <ChartSettings
                  type={chosenType}
                  result={result}
                  options={chartOptions}
                  onChange={setChartOptions}
                />
              )}
              <FiltersSection {...sections} variables={dashboard?.variables ?? []} errors={errors} />
              <SortSection {...sections} errors={errors} />
              <AdvancedSection {...sections} errors={errors} />
            </>
          )}
        </form>
        <QueryPreview
          title={fillTemplate(title || 'Preview', variables)}
          visualization={shown}
          note={
            rawRows
              ? 'Charts draw dimensions and metrics: these are the first rows as stored.'
              : pivoted
                ? 'A pivot is drawn as a table.'
                : undefined
          }
          result={result}
          running={running}
          error={previewError ? errorMessage(previewError) : null}
          sql={sql}
          query={preview}
          dimensions={
            result
              ? result.columns
                  .filter((c) => (c.kind ? c.kind === 'dimension' : !metricNames.has(c.name)))
                  .map((c) => c.name)
              : []
          }
          variables={variables}
        />
      </div>
    </div>
  );
}
