/**
 * How a chart names its categories, series and numbers for people. Browser-safe, like
 * `present.ts` which it builds on.
 */
import type { JsonScalar } from '../../engines/types.ts';
import { formatNumber, type NumberFormat } from './present.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** A date, or a timestamp at midnight: what a time bucket's value looks like. */
const BUCKET_START = /^(\d{4})-(\d{2})-\d{2}(T00:00:00(\.0+)?Z?)?$/;

/**
 * A category or series label from a value of `column`: the start of a month bucket reads
 * `Jan 2025`, of a quarter `Q1 2025`, of a year `2025` (by the query's `<field>_<granularity>`
 * naming); other dates stay ISO dates; null gets a visible name.
 */
export function categoryLabel(value: JsonScalar, column: string): string {
  if (value === null) return '(empty)';
  const text = String(value);
  const date = BUCKET_START.exec(text);
  if (!date) return text;
  const [, year, month] = date;
  const bucket = /_(month|quarter|year)$/.exec(column)?.[1];
  if (bucket === 'year') return year;
  if (bucket === 'quarter') return `Q${Math.ceil(Number(month) / 3)} ${year}`;
  if (bucket === 'month') return `${MONTHS[Number(month) - 1]} ${year}`;
  return text.slice(0, 10);
}

export function numberOf(value: JsonScalar): number | null {
  if (value === null || value === '') return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Axis numbers in the short form of the chart's format (12K, €3.4M) keep axes narrow. */
export const axisNumber =
  (format: NumberFormat = {}) =>
  (value: number) =>
    formatNumber(value, { ...format, short: true });

/**
 * A tooltip value: numbers in the chart's format, as people read them (`11,065.07`, not the
 * float `11065.069999999998`); ECharts passes an array for a point of several values.
 */
export function tooltipValue(value: unknown, format: NumberFormat = {}): string | string[] {
  if (Array.isArray(value)) return value.map((item) => tooltipValue(item, format) as string);
  if (typeof value === 'number') return Number.isFinite(value) ? formatNumber(value, format) : '–';
  if (value === null || value === undefined || value === '' || value === '-') return '–';
  return String(value);
}
