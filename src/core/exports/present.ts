/**
 * How values and column names are shown to people, the same on screen, in tooltips, PDF and XLSX
 * headers, and emails. Browser-safe: the web UI imports it too.
 */
import { isBinaryFloat } from '../../engines/columnTypes.ts';
import type { JsonScalar, ResultColumn } from '../../engines/types.ts';

const NUMERIC = new Set(['integer', 'number']);
export const isNumeric = (type: string) => NUMERIC.has(type);

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const small = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 2 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/**
 * A column that names things rather than counts them (`id`, `order_id`, `Order ID`, `zip`): its
 * numbers are shown as they are, without thousands separators or rounding. A count, sum or
 * average of such a column (`count_distinct_order_id`) is a quantity again.
 */
export function isIdentifierColumn(name: string): boolean {
  const trimmed = name.trim();
  if (/^(count_distinct|count|sum|avg)_/i.test(trimmed)) return false;
  return /(^|[^a-z])(id|ids|key|code|zip|postcode|year)$/i.test(trimmed) || /Id$/.test(trimmed);
}

/**
 * A column of binary floats, whose values carry representation noise (`31443.39000000001`):
 * numbers whose engine type is DOUBLE, FLOAT, REAL… A number column without a native type
 * (a result saved before engines reported one, a value computed in JS) counts as one too.
 */
export function isFloatColumn(column: Pick<ResultColumn, 'type' | 'nativeType'>): boolean {
  return column.type === 'number' && (column.nativeType === undefined || isBinaryFloat(column.nativeType));
}

/**
 * A binary float without its representation noise (`31443.39000000001` → `31443.39`): 15
 * significant digits, as many as a double holds exactly. For values people read, and data files
 * of float columns; exact decimals are not floats and never pass here.
 */
export function withoutFloatNoise(value: number): number {
  return Number.isFinite(value) && !Number.isInteger(value) ? Number(value.toPrecision(15)) : value;
}

/**
 * A number for people: integers whole, others with at most 2 decimals, thousands separated;
 * below 1 two significant digits, so 0.004 does not read as 0. Identifiers stay as they are.
 */
export function formatNumber(
  value: number,
  options: { type?: string; format?: unknown; column?: string } = {},
) {
  if (options.column !== undefined && isIdentifierColumn(options.column)) return String(value);
  if (options.format === 'compact') return compact.format(value);
  if (options.format === 'integer' || options.type === 'integer' || Number.isInteger(value))
    return integer.format(value);
  return Math.abs(value) < 1 ? small.format(value) : decimal.format(value);
}

export function formatValue(
  value: JsonScalar | undefined,
  type: string,
  format?: unknown,
  column?: string,
): string {
  if (value === null || value === undefined) return '∅';
  if (typeof value === 'number') return formatNumber(value, { type, format, column });
  if ((type === 'datetime' || type === 'date') && typeof value === 'string') {
    const midnight = /T00:00:00(\.000)?Z?$/.test(value);
    return type === 'date' || midnight
      ? value.slice(0, 10)
      : value.replace('T', ' ').replace(/\.000Z$|Z$/, '');
  }
  return String(value);
}

const AGGREGATE_WORDS: Record<string, string> = {
  sum: 'Sum of',
  avg: 'Average',
  min: 'Min',
  max: 'Max',
  count: 'Count of',
  count_distinct: 'Distinct',
};

const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Column names as people read them: `sum_price` → `Sum of price`, `date_month` → `Date (month)`. */
export function columnLabel(name: string): string {
  const aggregate = /^(sum|avg|min|max|count_distinct|count)_(.+)$/.exec(name);
  if (aggregate) return `${AGGREGATE_WORDS[aggregate[1]]} ${aggregate[2].replace(/_/g, ' ')}`;
  const bucket = /^(.+)_(year|quarter|month|week|day|hour|minute)$/.exec(name);
  if (bucket) return `${cap(bucket[1].replace(/_/g, ' '))} (${bucket[2]})`;
  return cap(name.replace(/_/g, ' '));
}
