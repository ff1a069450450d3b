import { formatValue } from '../../../core/exports/index.ts';
import type { QueryRunResult } from '../../../core/query/index.ts';
import type { JsonScalar, ResultColumn } from '../../../engines/types.ts';
import type { DimensionType, TimeInterval } from './explores.ts';
import type { MetricQuery } from './metric-query-schema.ts';

/**
 * Query answers as Lightdash's QueryResults (spec §2.0.4, §3.7): rows keyed by field id, each
 * cell `{value: {raw, formatted}}`; raw numbers are JSON numbers, dates `YYYY-MM-DD`, timestamps
 * ISO-8601; `formatted` is the text people read, numbers in the core's format shared with exports.
 */

/** A result column the answer shows, and its `fields` entry. */
export interface SelectedField {
  id: string;
  kind: 'dimension' | 'metric' | 'calculation';
  type: DimensionType;
  /** A date bucket's interval, which decides how it reads (`2024-01`, `2024-Q1`). */
  interval?: TimeInterval;
  item: unknown;
}

export type ResultCell = { value: { raw: unknown; formatted: string } };
export type ResultRow = Record<string, ResultCell>;

export interface QueryResults {
  metricQuery: Record<string, unknown>;
  cacheMetadata: { cacheHit: boolean };
  rows: ResultRow[];
  fields: Record<string, unknown>;
}

/** The MetricQuery as echoed (MetricQueryResponse): without `timezone` and the request-only fields. */
export function metricQueryEcho(query: MetricQuery): Record<string, unknown> {
  const { timezone: _timezone, granularity: _granularity, csvLimit: _csvLimit, ...echo } = query;
  return {
    ...echo,
    filters: query.filters ?? {},
    sorts: query.sorts ?? [],
    tableCalculations: query.tableCalculations ?? [],
  };
}

export const fieldsOf = (selected: SelectedField[]): Record<string, unknown> =>
  Object.fromEntries(selected.map((field) => [field.id, field.item]));

/** Engine rows (arrays in column order) as Lightdash rows of the selected fields. */
export function resultRows(
  selected: SelectedField[],
  columns: ResultColumn[],
  rows: JsonScalar[][],
): ResultRow[] {
  const at = selected.map((field) => columns.findIndex((column) => column.name === field.id));
  return rows.map((row) =>
    Object.fromEntries(
      selected.flatMap((field, i) => (at[i] < 0 ? [] : [[field.id, cellOf(row[at[i]], field)]])),
    ),
  );
}

export function queryResults(
  query: MetricQuery,
  selected: SelectedField[],
  result: Pick<QueryRunResult, 'columns' | 'rows' | 'cached'>,
): QueryResults {
  return {
    metricQuery: metricQueryEcho(query),
    cacheMetadata: { cacheHit: result.cached },
    rows: resultRows(selected, result.columns, result.rows),
    fields: fieldsOf(selected),
  };
}

export function cellOf(
  value: JsonScalar | undefined,
  field: Pick<SelectedField, 'id' | 'type' | 'interval'>,
): ResultCell {
  const raw = rawOf(value ?? null, field.type);
  return { value: { raw, formatted: formattedOf(raw, field) } };
}

function rawOf(value: JsonScalar, type: DimensionType): JsonScalar {
  if (typeof value !== 'string') return value;
  if (type === 'date' && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  if (type === 'timestamp' && /^\d{4}-\d{2}-\d{2} /.test(value)) return `${value.replace(' ', 'T')}`;
  return value;
}

function formattedOf(raw: JsonScalar, field: Pick<SelectedField, 'id' | 'type' | 'interval'>): string {
  if (raw === null) return '∅';
  if (typeof raw === 'boolean') return raw ? 'True' : 'False';
  if (field.type === 'date' && typeof raw === 'string') {
    if (field.interval === 'YEAR') return raw.slice(0, 4);
    if (field.interval === 'MONTH') return raw.slice(0, 7);
    if (field.interval === 'QUARTER')
      return `${raw.slice(0, 4)}-Q${Math.floor((Number(raw.slice(5, 7)) - 1) / 3) + 1}`;
    return raw.slice(0, 10);
  }
  if (field.type === 'timestamp') return formatValue(raw, 'datetime');
  return formatValue(raw, typeof raw === 'number' ? 'number' : 'string', undefined, field.id);
}
