import type { NamedFormula, PostCalculation, Query, QueryDimension, QueryMetric } from '../types.ts';
import { keyed } from './ModelDraft.ts';
import {
  bare,
  DEFAULT_LIMIT,
  type DimensionRow,
  type FormulaRow,
  type MetricRow,
  MODEL_METRIC,
  metricId,
  type PostRow,
  percentText,
  postId,
  type QueryDraft,
} from './query-draft.ts';
import { splitFilter } from './query-filter-draft.ts';

/** A saved query as a draft (a widget or chart opened in the editor). */
export function draftOf(saved: Query): QueryDraft {
  const {
    source: _source,
    calculations,
    dimensions,
    metrics,
    filters,
    postFilters,
    post,
    top,
    totals,
    pivot,
    timezone,
    weekStart,
    sorts,
    limit,
    aggregate: _aggregate,
    ...rest
  } = saved;
  const isFormula = (m: NonNullable<Query['metrics']>[number]): m is NamedFormula =>
    'formula' in m || 'sql' in m;
  const before = splitFilter(filters);
  const after = splitFilter(postFilters);
  return {
    calculations: (calculations ?? []).map(formulaRow),
    dimensions: (dimensions ?? []).map(dimensionRow),
    metrics: (metrics ?? []).flatMap((m) => (isFormula(m) ? [] : [metricRow(m)])),
    formulas: (metrics ?? []).filter(isFormula).map(formulaRow),
    filters: [...before.rows, ...after.rows.map((row) => ({ ...row, after: true }))],
    keptFilters: before.kept,
    keptPostFilters: after.kept,
    sorts: (sorts ?? []).map((s) =>
      keyed(
        typeof s === 'string'
          ? { field: s, descending: false }
          : { field: s.field, descending: Boolean(s.descending) },
      ),
    ),
    limit: limit ?? DEFAULT_LIMIT,
    post: (post ?? []).map(postRow),
    top: top
      ? {
          dimension: top.dimension,
          by: top.by,
          n: top.n,
          others: Boolean(top.others),
          bottom: Boolean(top.bottom),
        }
      : null,
    totals: Boolean(totals),
    subtotals: typeof totals === 'object' ? (totals.subtotals ?? []) : [],
    pivot: pivot?.columns ?? [],
    ...(pivot?.maxColumns !== undefined && { pivotMaxColumns: pivot.maxColumns }),
    timezone: timezone ?? '',
    weekStart: weekStart ?? 0,
    rest,
  };
}

function formulaRow(saved: NamedFormula | { name: string; sql: string; type?: string }): FormulaRow {
  return 'sql' in saved
    ? keyed({ name: saved.name, formula: saved.sql, sql: true, ...(saved.type && { type: saved.type }) })
    : keyed({ name: saved.name, formula: saved.formula });
}

function dimensionRow(saved: string | QueryDimension): DimensionRow {
  if (typeof saved === 'string') return keyed({ field: saved, granularity: '' });
  const { bin } = saved;
  return keyed({
    field: saved.field,
    granularity: saved.granularity ?? '',
    ...(bin && {
      bin:
        'width' in bin
          ? {
              kind: 'width' as const,
              width: String(bin.width),
              offset: bin.offset === undefined ? '' : String(bin.offset),
            }
          : {
              kind: 'ranges' as const,
              ranges: bin.ranges.map((r) => ({
                from: r.from === undefined ? '' : String(r.from),
                to: r.to === undefined ? '' : String(r.to),
                label: r.label ?? '',
              })),
            },
    }),
    ...(saved.alias && { alias: saved.alias }),
  });
}

function metricRow(saved: QueryMetric): MetricRow {
  const filter = saved.filters ? splitFilter(saved.filters) : undefined;
  const common = { ...(filter && { filter }) };
  if ('metric' in saved)
    return keyed({
      aggregation: MODEL_METRIC,
      field: saved.metric,
      ...(saved.alias && { alias: saved.alias }),
      ...common,
    });
  const row: MetricRow = keyed({
    aggregation: saved.aggregation,
    field: saved.field ?? '',
    ...(saved.percentile !== undefined && { percentile: percentText(saved.percentile) }),
    ...common,
  });
  // A percentile's own name (`p90_price`) is not an alias: it follows the percentile. One saved
  // without a name keeps the server's (`percentile_price`), which sorts and calculations may use.
  const alias =
    saved.alias ?? (saved.aggregation === 'percentile' ? `percentile_${bare(row.field)}` : undefined);
  return alias && alias !== metricId(row) ? { ...row, alias } : row;
}

function postRow(saved: PostCalculation): PostRow {
  const row = keyed({
    id: saved.id,
    type: saved.type,
    of: 'of' in saved ? saved.of : '',
    partitionBy: 'partitionBy' in saved ? (saved.partitionBy ?? []) : [],
    ascending: 'ascending' in saved && Boolean(saved.ascending),
    formula: 'formula' in saved ? saved.formula : '',
  });
  return postId({ ...row, id: '' }) === saved.id ? { ...row, id: '' } : row;
}
