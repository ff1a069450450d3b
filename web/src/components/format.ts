import type { Scalar } from '../types.ts';

const NUMERIC = new Set(['integer', 'number']);
export const isNumeric = (type: string) => NUMERIC.has(type);

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

export function formatValue(value: Scalar, type: string, format?: unknown): string {
  if (value === null || value === undefined) return '∅';
  if (typeof value === 'number') {
    if (format === 'compact') return compact.format(value);
    if (format === 'integer' || type === 'integer') return integer.format(value);
    return decimal.format(value);
  }
  if ((type === 'datetime' || type === 'date') && typeof value === 'string') {
    const midnight = /T00:00:00(\.000)?Z?$/.test(value);
    return type === 'date' || midnight
      ? value.slice(0, 10)
      : value.replace('T', ' ').replace(/\.000Z$|Z$/, '');
  }
  return String(value);
}

/** Column names as people read them: `sum_price` → `Sum of price`, `date_month` → `Date (month)`. */
export function columnLabel(name: string): string {
  const aggregate = /^(sum|avg|min|max|count_distinct|count)_(.+)$/.exec(name);
  if (aggregate) {
    const words: Record<string, string> = {
      sum: 'Sum of',
      avg: 'Average',
      min: 'Min',
      max: 'Max',
      count: 'Count of',
      count_distinct: 'Distinct',
    };
    return `${words[aggregate[1]]} ${aggregate[2].replace(/_/g, ' ')}`;
  }
  const bucket = /^(.+)_(year|quarter|month|week|day|hour|minute)$/.exec(name);
  if (bucket) return `${cap(bucket[1].replace(/_/g, ' '))} (${bucket[2]})`;
  return cap(name.replace(/_/g, ' '));
}

const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
