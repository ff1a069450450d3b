import { useEffect, useRef, useState } from 'react';
import { type VariableValues, variablesUsed } from '../../../src/core/query/variables.ts';
import { api, errorMessage } from '../api.ts';
import type { Dashboard, QueryResult, Widget } from '../types.ts';
import { filtersFor } from './filters.ts';

/**
 * A dashboard widget's data, read through the dashboard
 * (`POST /dashboards/:id/widgets/:widgetId/results`). It re-runs only when what it depends on
 * changes: the filters that apply to it (all, until the server said which), the variables its
 * query uses, the refresh key.
 */
export function useWidgetResult(props: {
  dashboard: Dashboard;
  widget: Widget;
  filters: Record<string, unknown>;
  variables: VariableValues;
  refreshKey: number;
}) {
  const { dashboard, widget } = props;
  const [result, setResult] = useState<QueryResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(Boolean(widget.query));
  // Which filters the server applied, valid for the filter definitions it was told for: a filter
  // added or re-targeted in the settings may apply where none did, so it runs the widget again.
  const definitions = JSON.stringify(dashboard.filters.map((f) => [f.id, f.field, f.tileTargets ?? null]));
  const applied = useRef<{ definitions: string; ids: string[] } | null>(null);
  const appliedIds = applied.current?.definitions === definitions ? applied.current.ids : null;
  const settled = useRef('');
  const used = widget.query ? variablesUsed(widget.query.filters) : [];
  const variables = Object.fromEntries(
    used.filter((name) => Object.hasOwn(props.variables, name)).map((name) => [name, props.variables[name]]),
  );
  const keyOf = (fields: string[] | null) =>
    JSON.stringify([
      widget.query,
      filtersFor(props.filters, fields),
      variables,
      props.refreshKey,
      definitions,
    ]);
  const key = keyOf(appliedIds);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the serialized request is the dependency
  useEffect(() => {
    if (!widget.query || key === settled.current) return;
    const abort = new AbortController();
    setLoading(true);
    setError(null);
    api<QueryResult & { appliedFilters: string[] }>(
      'POST',
      `/dashboards/${dashboard.id}/widgets/${encodeURIComponent(widget.id)}/results`,
      { filters: props.filters, variables },
      {
        signal: abort.signal,
        headers: props.refreshKey > 0 ? { 'cache-control': 'no-cache' } : undefined,
      },
    )
      .then((r) => {
        applied.current = { definitions, ids: r.appliedFilters };
        settled.current = keyOf(r.appliedFilters);
        setResult(r);
        setLoading(false);
      })
      .catch((e) => {
        if (abort.signal.aborted) return;
        setError(errorMessage(e));
        setLoading(false);
      });
    return () => abort.abort();
  }, [key]);

  return { result, error, loading };
}
