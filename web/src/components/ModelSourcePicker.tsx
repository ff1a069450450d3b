import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { inProject, useProjectId } from '../project.ts';
import type { Column, DataSource, Model } from '../types.ts';
import { type MetricChoice, MODEL_METRIC } from './query-draft.ts';

/**
 * What a query can target: a data source or a model, both addressed by uuid. A model's fields
 * are its dimensions as `table.field` (unambiguous even when two tables share a column name),
 * and its metrics are queried by name.
 */
export interface QuerySource {
  value: string;
  name: string;
  kind: 'source' | 'model';
  /** References a saved query may use for it: uuid, id, and for a model its name. */
  refs: string[];
  fields: Column[];
  metrics: string[];
}

const fromDataSource = (s: DataSource): QuerySource => ({
  value: s.uuid,
  name: s.name,
  kind: 'source',
  refs: [s.uuid, String(s.id)],
  fields: s.columns,
  metrics: [],
});

const fromModel = (m: Model): QuerySource => ({
  value: m.uuid,
  name: m.name,
  kind: 'model',
  refs: [m.uuid, m.name],
  fields: m.dimensions.map((d) => ({ name: `${d.table}.${d.name}`, type: d.type ?? 'string' })),
  metrics: m.metrics.map((metric) => metric.name),
});

/** Data sources then models; null while loading. */
export function useQuerySources(onError: (error: unknown) => void): QuerySource[] | null {
  const [sources, setSources] = useState<QuerySource[] | null>(null);
  const projectId = useProjectId();
  // biome-ignore lint/correctness/useExhaustiveDependencies: load once per page and project
  useEffect(() => {
    let live = true; // an answer for a project left meanwhile is dropped
    Promise.all([
      api<{ items: DataSource[] }>('GET', '/data-sources'),
      api<{ items: Model[] }>('GET', inProject('/models', projectId)),
    ])
      .then(
        ([data, models]) =>
          live && setSources([...data.items.map(fromDataSource), ...models.items.map(fromModel)]),
      )
      .catch(onError);
    return () => {
      live = false;
    };
  }, [projectId]);
  return sources;
}

export const findQuerySource = (sources: QuerySource[] | null, ref: string): QuerySource | undefined =>
  sources?.find((s) => s.refs.includes(ref));

const GROUPS: { kind: QuerySource['kind']; label: string }[] = [
  { kind: 'source', label: 'Data sources' },
  { kind: 'model', label: 'Models' },
];

export function SourceSelect(props: {
  sources: QuerySource[] | null;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <label>
      Data source or model
      <select name="source" value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">Choose a data source or model</option>
        {GROUPS.map(({ kind, label }) => {
          const members = (props.sources ?? []).filter((s) => s.kind === kind);
          return (
            members.length > 0 && (
              <optgroup key={kind} label={label}>
                {members.map((s) => (
                  <option key={s.value} value={s.value}>
                    {s.name}
                  </option>
                ))}
              </optgroup>
            )
          );
        })}
      </select>
    </label>
  );
}

/** The aggregations as people name them. */
const AGGREGATIONS: [string, string][] = [
  ['sum', 'sum'],
  ['avg', 'average'],
  ['min', 'min'],
  ['max', 'max'],
  ['count', 'count'],
  ['count_distinct', 'count distinct'],
  ['median', 'median'],
  ['percentile', 'percentile'],
  ['stddev', 'standard deviation'],
  ['variance', 'variance'],
];

/** The aggregations, then the model's own metrics, in one list. */
export function AggregationSelect(props: {
  label: string;
  row: MetricChoice;
  metrics: string[];
  onChange: (row: MetricChoice) => void;
}) {
  const { row } = props;
  const value = row.aggregation === MODEL_METRIC ? `${MODEL_METRIC}:${row.field}` : row.aggregation;
  const change = (next: string) => {
    if (next.startsWith(`${MODEL_METRIC}:`))
      props.onChange({ aggregation: MODEL_METRIC, field: next.slice(MODEL_METRIC.length + 1) });
    else props.onChange({ aggregation: next, field: row.aggregation === MODEL_METRIC ? '' : row.field });
  };
  return (
    <select aria-label={props.label} value={value} onChange={(e) => change(e.target.value)}>
      <optgroup label="Aggregations">
        {AGGREGATIONS.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </optgroup>
      {props.metrics.length > 0 && (
        <optgroup label="Model metrics">
          {props.metrics.map((name) => (
            <option key={name} value={`${MODEL_METRIC}:${name}`}>
              {name}
            </option>
          ))}
        </optgroup>
      )}
    </select>
  );
}
