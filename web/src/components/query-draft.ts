import { ApiError } from '../api.ts';
import type { Column, FilterNode, NamedFormula, Query } from '../types.ts';
import { type FilterValueRow, filterValueRow, filterValues } from './FilterValueInput.tsx';
import { type Keyed, keyed, removeAt, replaceAt } from './ModelDraft.ts';
import { type MetricChoice, MODEL_METRIC, metricChoiceOf, queryMetricOf } from './ModelSourcePicker.tsx';

/**
 * The query builder's working copy (Explore and the widget editor): lists of rows, each with a
 * key of its own so removing one keeps the others' inputs, turned into a native query body and
 * back. Pure, so the page and its sections share one shape.
 */
export type DimensionRow = Keyed<{ field: string; granularity: string }>;
export type MetricRow = Keyed<MetricChoice>;
/** A custom column (row-level calculation) or a formula metric. */
export type FormulaRow = Keyed<NamedFormula>;
export type FilterRow = Keyed<FilterValueRow & { field: string }>;
export type SortRow = Keyed<{ field: string; descending: boolean }>;

export interface QueryDraft {
  calculations: FormulaRow[];
  dimensions: DimensionRow[];
  metrics: MetricRow[];
  formulas: FormulaRow[];
  filters: FilterRow[];
  sorts: SortRow[];
  limit: number;
}

export const DEFAULT_LIMIT = 500;

export const emptyDraft = (): QueryDraft => ({
  calculations: [],
  dimensions: [],
  metrics: [],
  formulas: [],
  filters: [],
  sorts: [],
  limit: DEFAULT_LIMIT,
});

export const isTime = (type: string | undefined) => type === 'date' || type === 'datetime';

// Result-column names follow the server's rule: bare field names, model metrics by name.
const bare = (field: string) => field.slice(field.lastIndexOf('.') + 1);
const dimensionName = (d: DimensionRow) =>
  d.granularity ? `${bare(d.field)}_${d.granularity}` : bare(d.field);
const metricName = (m: MetricRow) =>
  m.alias
    ? m.alias
    : m.aggregation === MODEL_METRIC
      ? m.field
      : m.aggregation === 'count' && !m.field
        ? 'count'
        : `${m.aggregation}_${bare(m.field)}`;

const complete = {
  dimension: (d: DimensionRow) => Boolean(d.field),
  metric: (m: MetricRow) => Boolean(m.field) || m.aggregation === 'count',
  formula: (f: FormulaRow) => Boolean(f.name.trim() && f.formula.trim()),
};

/** The result columns the draft's metrics give (dimensions first), e.g. to sort or refer to. */
export function metricColumns(draft: QueryDraft): string[] {
  return [
    ...draft.metrics.filter(complete.metric).map(metricName),
    ...draft.formulas.filter(complete.formula).map((f) => f.name.trim()),
  ];
}

export const resultColumns = (draft: QueryDraft): string[] => [
  ...draft.dimensions.filter(complete.dimension).map(dimensionName),
  ...metricColumns(draft),
];

/**
 * The custom columns as fields: a formula that only names a field keeps that field's type, any
 * arithmetic is a number (as the server types them).
 */
export function customFields(draft: QueryDraft, fields: Column[]): Column[] {
  return draft.calculations.filter(complete.formula).map((c) => {
    const named = fields.find((f) => f.name === c.formula.trim() || bare(f.name) === c.formula.trim());
    return { name: c.name.trim(), type: named?.type ?? 'number' };
  });
}

/** Which rows went into the body, so a 400 naming `calculations[1].formula` finds its input. */
export interface SentRows {
  calculations: number[];
  /** Keys of the formula metrics, after `metricCount` aggregate or model metrics. */
  formulas: number[];
  metricCount: number;
}

export function queryOf(
  draft: QueryDraft,
  source: string,
  typeOf: (field: string) => string | undefined,
): { query: Query; sent: SentRows } {
  const query: Query = { source, limit: draft.limit };
  const calculations = draft.calculations.filter(complete.formula);
  if (calculations.length) query.calculations = calculations.map(namedFormula);
  const dimensions = draft.dimensions.filter(complete.dimension);
  if (dimensions.length)
    query.dimensions = dimensions.map((d) =>
      d.granularity ? { field: d.field, granularity: d.granularity } : d.field,
    );
  const metrics = draft.metrics.filter(complete.metric);
  const formulas = draft.formulas.filter(complete.formula);
  if (metrics.length + formulas.length)
    query.metrics = [...metrics.map(queryMetricOf), ...formulas.map(namedFormula)];
  const rules: FilterNode[] = draft.filters
    .filter((f) => f.field)
    .map((f) => ({ field: f.field, operator: f.operator, values: filterValues(f, typeOf(f.field)) }));
  if (rules.length) query.filters = { and: rules };
  const sorts = draft.sorts.filter((s) => s.field);
  if (sorts.length) query.sorts = sorts.map((s) => ({ field: s.field, descending: s.descending }));
  // Neither dimensions nor metrics: the rows as stored (a table of the first rows).
  if (!dimensions.length && !query.metrics) query.aggregate = false;
  const sent = {
    calculations: calculations.map((c) => c.key),
    formulas: formulas.map((f) => f.key),
    metricCount: metrics.length,
  };
  return { query, sent };
}

const namedFormula = (row: FormulaRow): NamedFormula => ({ name: row.name.trim(), formula: row.formula });

/** A saved query as a draft (a widget or chart opened in the editor). */
export function draftOf(query: Query): QueryDraft {
  const formula = (m: NonNullable<Query['metrics']>[number]): m is NamedFormula => 'formula' in m;
  const rules =
    query.filters && 'and' in query.filters ? query.filters.and : query.filters ? [query.filters] : [];
  return {
    calculations: (query.calculations ?? []).map((c) => keyed({ ...c })),
    dimensions: (query.dimensions ?? []).map((d) =>
      keyed(
        typeof d === 'string'
          ? { field: d, granularity: '' }
          : { field: d.field, granularity: d.granularity ?? '' },
      ),
    ),
    metrics: (query.metrics ?? []).flatMap((m) => (formula(m) ? [] : [keyed(metricChoiceOf(m))])),
    formulas: (query.metrics ?? []).filter(formula).map((m) => keyed({ ...m })),
    filters: rules.flatMap((r) =>
      'field' in r ? [keyed({ field: r.field, operator: r.operator, ...filterValueRow(r.values) })] : [],
    ),
    sorts: (query.sorts ?? []).map((s) =>
      keyed(
        typeof s === 'string'
          ? { field: s, descending: false }
          : { field: s.field, descending: Boolean(s.descending) },
      ),
    ),
    limit: query.limit ?? DEFAULT_LIMIT,
  };
}

/**
 * The server's 400 on a custom column or formula metric, by the key of its row: the message
 * without its path (`calculations[0].formula: unknown field "prce"` → `unknown field "prce"`).
 */
export function formulaErrors(error: unknown, sent: SentRows): Map<number, string> {
  const errors = new Map<number, string>();
  if (!(error instanceof ApiError) || !error.field) return errors;
  const match = /^(calculations|metrics)\[(\d+)\]/.exec(error.field);
  if (!match) return errors;
  const index = Number(match[2]);
  const key =
    match[1] === 'calculations' ? sent.calculations[index] : sent.formulas[index - sent.metricCount];
  if (key !== undefined) errors.set(key, error.message.replace(`${error.field}: `, ''));
  return errors;
}

/**
 * The chart type Explore suggests until one is chosen: the first rows as a table; one metric
 * alone as a number; over a date, a line; over one or two categories, bars.
 */
export function suggestedType(draft: QueryDraft, typeOf: (field: string) => string | undefined): string {
  const dimensions = draft.dimensions.filter(complete.dimension);
  const metrics = metricColumns(draft).length;
  if (metrics === 0) return 'table';
  if (dimensions.length === 0) return metrics === 1 ? 'kpi' : 'table';
  if (isTime(typeOf(dimensions[0].field))) return 'line';
  return dimensions.length <= 2 ? 'bar' : 'table';
}

type Lists = Omit<QueryDraft, 'limit'>;
type RowOf<K extends keyof Lists> = Lists[K][number];

/** Editing one of the draft's lists: every change is a new draft handed to `onChange`. */
export function listEditor<K extends keyof Lists>(
  draft: QueryDraft,
  onChange: (draft: QueryDraft) => void,
  list: K,
) {
  const rows = draft[list] as RowOf<K>[];
  const change = (next: RowOf<K>[]) => onChange({ ...draft, [list]: next });
  return {
    rows,
    set: (index: number, row: RowOf<K>) => change(replaceAt(rows, index, row)),
    remove: (index: number) => change(removeAt(rows, index)),
    add: (row: Omit<RowOf<K>, 'key'>) => change([...rows, keyed(row) as RowOf<K>]),
  };
}
