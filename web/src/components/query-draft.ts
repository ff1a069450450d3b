import { ApiError } from '../api.ts';
import type {
  Column,
  FilterNode,
  NamedFormula,
  PostCalculation,
  Query,
  QueryBin,
  QueryDimension,
  QueryMetric,
} from '../types.ts';
import { type Keyed, keyed, removeAt, replaceAt } from './ModelDraft.ts';
import { type FilterRow, filterNodes, type SplitFilter } from './query-filter-draft.ts';

/**
 * The query builder's working copy (Explore and the widget editor): lists of rows, each with a
 * key of its own so removing one keeps the others' inputs, turned into a native query body and
 * back. Pure, so the page and its sections share one shape. What the editor cannot show (a
 * nested `or`, a rule with a user attribute, a body key it has no input for) is kept as saved.
 */
export type BinDraft =
  | { kind: 'width'; width: string; offset: string }
  | { kind: 'ranges'; ranges: RangeDraft[] };
export interface RangeDraft {
  from: string;
  to: string;
  label: string;
}
/** A metric row's choice: `aggregation` is `metric` when `field` names a model metric. */
export interface MetricChoice {
  field: string;
  aggregation: string;
  /** The result column's name when the saved query gave one (`{…, alias: "revenue"}`). */
  alias?: string;
}
export const MODEL_METRIC = 'metric';

export type DimensionRow = Keyed<{ field: string; granularity: string; bin?: BinDraft; alias?: string }>;
export type MetricRow = Keyed<
  MetricChoice & {
    /** The percentile as a percentage ("90" = the 90th percentile), for `percentile`. */
    percentile?: string;
    /** The metric's own filter (a filtered metric): only rows matching it are aggregated. */
    filter?: SplitFilter;
  }
>;
/** A custom column (row-level calculation) or a formula metric; `sql`: `formula` holds SQL. */
export type FormulaRow = Keyed<NamedFormula & { sql?: boolean; type?: string }>;
export type SortRow = Keyed<{ field: string; descending: boolean }>;
/** A calculation over the result; `id` '' = named after its type and metric. */
export type PostRow = Keyed<{
  id: string;
  type: string;
  of: string;
  partitionBy: string[];
  ascending: boolean;
  formula: string;
}>;
export interface TopDraft {
  dimension: string;
  by: string;
  n: number;
  others: boolean;
  bottom: boolean;
}

export interface QueryDraft {
  calculations: FormulaRow[];
  dimensions: DimensionRow[];
  metrics: MetricRow[];
  formulas: FormulaRow[];
  /** Rules on fields and metrics; a rule marked `after` filters the result after the calculations. */
  filters: FilterRow[];
  /** Filter nodes the editor keeps as saved (and-ed with the rules): `[before, after]`. */
  keptFilters: FilterNode[];
  keptPostFilters: FilterNode[];
  sorts: SortRow[];
  limit: number;
  post: PostRow[];
  top: TopDraft | null;
  totals: boolean;
  subtotals: string[];
  /** Dimension ids spread into columns; none = no pivot. */
  pivot: string[];
  pivotMaxColumns?: number;
  /** IANA zone; '' = the server's default (UTC). */
  timezone: string;
  /** 1 = Monday … 7 = Sunday; 0 = the default (Monday). */
  weekStart: number;
  /** Body keys the editor has no input for (`variables`, `offset`), saved back as they were. */
  rest: Record<string, unknown>;
}

export const DEFAULT_LIMIT = 500;

export const emptyDraft = (): QueryDraft => ({
  calculations: [],
  dimensions: [],
  metrics: [],
  formulas: [],
  filters: [],
  keptFilters: [],
  keptPostFilters: [],
  sorts: [],
  limit: DEFAULT_LIMIT,
  post: [],
  top: null,
  totals: false,
  subtotals: [],
  pivot: [],
  timezone: '',
  weekStart: 0,
  rest: {},
});

export const PERIODS = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute'];
/** Date parts group across periods: every January together, every Monday together. */
export const DATE_PARTS = [
  ['month_of_year', 'month of year'],
  ['quarter_of_year', 'quarter of year'],
  ['week_of_year', 'week of year'],
  ['day_of_week', 'day of week'],
  ['hour_of_day', 'hour of day'],
];
/** `weekday` is the ISO day of the week of bodies saved before the date parts. */
const isDatePart = (granularity: string) =>
  granularity === 'weekday' || DATE_PARTS.some(([part]) => part === granularity);

export const isTime = (type: string | undefined) => type === 'date' || type === 'datetime';
export const isNumber = (type: string | undefined) => type === 'integer' || type === 'number';

/** Calculations over the result, and what each needs besides a metric. */
export const POST_TYPES = [
  { type: 'running_total', label: 'Running total', partition: true },
  { type: 'percent_of_total', label: 'Percent of total', partition: true },
  { type: 'rank', label: 'Rank', partition: true },
  { type: 'previous_period', label: 'Previous period', period: true },
  { type: 'difference', label: 'Change vs previous', period: true },
  { type: 'percent_change', label: '% change vs previous', period: true },
  { type: 'formula', label: 'Formula over the result' },
] as const;
export const postType = (type: string) => POST_TYPES.find((t) => t.type === type);

// Result-column names follow the server's rule (src/core/query/ir.ts): bare field names, a
// bucket's granularity as a suffix, `<aggregation>_<field>`, model metrics by name, aliases first.
export const bare = (field: string) => field.slice(field.lastIndexOf('.') + 1);
export const dimensionId = (d: DimensionRow) =>
  d.alias || (d.granularity && !d.bin ? `${bare(d.field)}_${d.granularity}` : bare(d.field));

/** "90" → 0.9; NaN when it is no percentage. */
const fraction = (percent: string | undefined) => {
  const value = percent === undefined || percent.trim() === '' ? Number.NaN : Number(percent) / 100;
  return value >= 0 && value <= 1 ? value : Number.NaN;
};
export const percentText = (p: number) => String(Number((p * 100).toPrecision(12)));

/**
 * Percentiles are named by their p (`p90_price`), so the 50th and the 90th of one field are two
 * columns without the user naming them.
 */
const percentileAlias = (m: MetricRow) =>
  `p${(m.percentile ?? '').trim().replace('.', '_')}_${bare(m.field)}`;

export function metricId(m: MetricRow): string {
  if (m.alias) return m.alias;
  if (m.aggregation === MODEL_METRIC) return m.field;
  if (m.aggregation === 'count' && !m.field) return 'count';
  if (m.aggregation === 'percentile') return percentileAlias(m);
  return `${m.aggregation}_${bare(m.field)}`;
}

export const postId = (p: PostRow) => p.id.trim() || (p.type === 'formula' ? '' : `${p.type}_${p.of}`);

const complete = {
  dimension: (d: DimensionRow) => Boolean(d.field),
  metric: (m: MetricRow) =>
    (Boolean(m.field) || m.aggregation === 'count') &&
    (m.aggregation !== 'percentile' || !Number.isNaN(fraction(m.percentile))),
  formula: (f: FormulaRow) => Boolean(f.name.trim() && f.formula.trim()),
  post: (p: PostRow) => Boolean(postId(p) && (p.type === 'formula' ? p.formula.trim() : p.of)),
};

export const dimensionColumns = (draft: QueryDraft): string[] =>
  draft.dimensions.filter(complete.dimension).map(dimensionId);

/** The result columns the draft's metrics give, e.g. to sort or refer to. */
export function metricColumns(draft: Pick<QueryDraft, 'metrics' | 'formulas'>): string[] {
  return [
    ...draft.metrics.filter(complete.metric).map(metricId),
    ...draft.formulas.filter(complete.formula).map((f) => f.name.trim()),
  ];
}

export const postColumns = (draft: QueryDraft): string[] => draft.post.filter(complete.post).map(postId);

export const resultColumns = (draft: QueryDraft): string[] => [
  ...dimensionColumns(draft),
  ...metricColumns(draft),
  ...postColumns(draft),
];

/**
 * The custom columns as fields: a formula that only names a field keeps that field's type, any
 * arithmetic is a number (as the server types them).
 */
export function customFields(draft: QueryDraft, fields: Column[]): Column[] {
  return draft.calculations.filter(complete.formula).map((c) => {
    const named = fields.find((f) => f.name === c.formula.trim() || bare(f.name) === c.formula.trim());
    return { name: c.name.trim(), type: c.sql ? (c.type ?? 'number') : (named?.type ?? 'number') };
  });
}

/** Which rows went into the body, by list, so a 400 naming `post[1].of` finds its input. */
export interface SentRows {
  calculations: number[];
  dimensions: number[];
  /** The aggregate and model metrics, then the formula metrics (the body's order). */
  metrics: number[];
  post: number[];
  filters: number[];
  postFilters: number[];
}

export function queryOf(
  draft: QueryDraft,
  source: string,
  typeOf: (field: string) => string | undefined,
): { query: Query; sent: SentRows } {
  const query: Query = { ...draft.rest, source, limit: draft.limit };
  const calculations = draft.calculations.filter(complete.formula);
  if (calculations.length) query.calculations = calculations.map(namedFormula);
  const dimensions = draft.dimensions.filter(complete.dimension);
  if (dimensions.length) query.dimensions = dimensions.map(dimensionBody);
  const metrics = draft.metrics.filter(complete.metric);
  const formulas = draft.formulas.filter(complete.formula);
  // A rule on a metric or a calculation compares numbers, whatever the field it aggregates.
  const results = new Set([...metricColumns(draft), ...postColumns(draft)]);
  const ruleType = (field: string) => (results.has(field) ? 'number' : typeOf(field));
  if (metrics.length + formulas.length)
    query.metrics = [...metrics.map((m) => metricBody(m, ruleType)), ...formulas.map(namedFormula)];
  const rules = draft.filters.filter((f) => f.field);
  const before = rules.filter((f) => !f.after);
  const after = rules.filter((f) => f.after);
  const filters = and(filterNodes({ rows: before, kept: draft.keptFilters }, ruleType));
  if (filters) query.filters = filters;
  const postFilters = and(filterNodes({ rows: after, kept: draft.keptPostFilters }, ruleType));
  if (postFilters) query.postFilters = postFilters;
  const post = draft.post.filter(complete.post);
  if (post.length) query.post = post.map(postBody);
  const { top } = draft;
  if (top?.dimension && top.by)
    query.top = {
      dimension: top.dimension,
      by: top.by,
      n: top.n,
      ...(top.others && { others: true }),
      ...(top.bottom && { bottom: true }),
    };
  if (draft.totals) query.totals = draft.subtotals.length ? { subtotals: draft.subtotals } : true;
  if (draft.pivot.length)
    query.pivot = {
      columns: draft.pivot,
      ...(draft.pivotMaxColumns !== undefined && { maxColumns: draft.pivotMaxColumns }),
    };
  if (draft.timezone) query.timezone = draft.timezone;
  if (draft.weekStart) query.weekStart = draft.weekStart;
  const sorts = draft.sorts.filter((s) => s.field);
  if (sorts.length) query.sorts = sorts.map((s) => ({ field: s.field, descending: s.descending }));
  // Neither dimensions nor metrics: the rows as stored (a table of the first rows).
  if (!dimensions.length && !query.metrics) query.aggregate = false;
  const keys = (rows: { key: number }[]) => rows.map((row) => row.key);
  const sent = {
    calculations: keys(calculations),
    dimensions: keys(dimensions),
    metrics: keys([...metrics, ...formulas]),
    post: keys(post),
    filters: keys(before),
    postFilters: keys(after),
  };
  return { query, sent };
}

const and = (nodes: FilterNode[]): FilterNode | undefined => (nodes.length ? { and: nodes } : undefined);

// An SQL expression (written by a developer through the API) is kept as saved; the web's Query
// type names formulas only, as the drill-through reads them.
const namedFormula = (row: FormulaRow): NamedFormula =>
  row.sql
    ? ({
        name: row.name.trim(),
        sql: row.formula,
        ...(row.type && { type: row.type }),
      } as unknown as NamedFormula)
    : { name: row.name.trim(), formula: row.formula };

function dimensionBody(d: DimensionRow): string | QueryDimension {
  const bin = d.bin && binBody(d.bin);
  if (!d.granularity && !bin && !d.alias) return d.field;
  return {
    field: d.field,
    ...(bin ? { bin } : d.granularity && { granularity: d.granularity }),
    ...(d.alias && { alias: d.alias }),
  };
}

/** The bin as the server takes it; undefined while no width or range is filled in. */
function binBody(bin: BinDraft): QueryBin | undefined {
  const number = (text: string) => (text.trim() === '' ? undefined : Number(text));
  if (bin.kind === 'width') {
    const width = number(bin.width);
    if (width === undefined) return undefined;
    const offset = number(bin.offset);
    return offset === undefined ? { width } : { width, offset };
  }
  const ranges = bin.ranges
    .map((r) => ({ from: number(r.from), to: number(r.to), label: r.label.trim() }))
    .filter((r) => r.from !== undefined || r.to !== undefined)
    .map((r) => ({
      ...(r.from !== undefined && { from: r.from }),
      ...(r.to !== undefined && { to: r.to }),
      ...(r.label && { label: r.label }),
    }));
  return ranges.length ? { ranges } : undefined;
}

function metricBody(m: MetricRow, typeOf: (field: string) => string | undefined): QueryMetric {
  const filter = m.filter && and(filterNodes(m.filter, typeOf));
  const own = filter && { filters: filter };
  if (m.aggregation === MODEL_METRIC) return { metric: m.field, ...(m.alias && { alias: m.alias }), ...own };
  const percentile = m.aggregation === 'percentile';
  const alias = m.alias || (percentile ? percentileAlias(m) : '');
  return {
    ...(m.field && { field: m.field }),
    aggregation: m.aggregation,
    ...(percentile && { percentile: fraction(m.percentile) }),
    ...(alias && { alias }),
    ...own,
  };
}

function postBody(p: PostRow): PostCalculation {
  const id = postId(p);
  if (p.type === 'formula') return { id, type: 'formula', formula: p.formula };
  const kind = postType(p.type);
  return {
    id,
    type: p.type,
    of: p.of,
    ...(kind && 'partition' in kind && p.partitionBy.length > 0 && { partitionBy: p.partitionBy }),
    ...(p.type === 'rank' && p.ascending && { ascending: true }),
  };
}

/** Where a server error shows: a row's key, or a section (`top`, `pivot`, `totals`, `timezone`…). */
export type ErrorPlace = number | string;

/**
 * The server's 400 by the input it names: a row of a list by its key, else the section named
 * by the path's first part; the message without its path (`post[0].of: unknown column "x"` →
 * `unknown column "x"` under the calculation).
 */
export function fieldErrors(error: unknown, sent: SentRows): Map<ErrorPlace, string> {
  const errors = new Map<ErrorPlace, string>();
  if (!(error instanceof ApiError) || !error.field) return errors;
  const message = error.message.replace(`${error.field}: `, '');
  const row = /^(calculations|dimensions|metrics|post)\[(\d+)\]|^(filters|postFilters)\.and\[(\d+)\]/.exec(
    error.field,
  );
  const key = row
    ? row[1]
      ? sent[row[1] as 'calculations' | 'dimensions' | 'metrics' | 'post'][Number(row[2])]
      : sent[row[3] as 'filters' | 'postFilters'][Number(row[4])]
    : undefined;
  errors.set(key ?? error.field.split(/[.[]/)[0], message);
  return errors;
}

/**
 * The chart type Explore suggests until one is chosen: the first rows as a table; one metric
 * alone as a number; a pivot as its table; over time, a line; over one or two categories (a date
 * part is one), bars.
 */
export function suggestedType(draft: QueryDraft, typeOf: (field: string) => string | undefined): string {
  const dimensions = draft.dimensions.filter(complete.dimension);
  const metrics = metricColumns(draft).length;
  if (metrics === 0) return 'table';
  if (draft.pivot.length) return 'table';
  if (dimensions.length === 0) return metrics === 1 ? 'kpi' : 'table';
  // A line follows time; date parts (every Monday, every March) are categories.
  const [first] = dimensions;
  if (isTime(typeOf(first.field)) && !isDatePart(first.granularity)) return 'line';
  return dimensions.length <= 2 ? 'bar' : 'table';
}

type ListKey = 'calculations' | 'dimensions' | 'metrics' | 'formulas' | 'filters' | 'sorts' | 'post';
type RowOf<K extends ListKey> = QueryDraft[K][number];

/** Editing one of the draft's lists: every change is a new draft handed to `onChange`. */
export function listEditor<K extends ListKey>(
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
