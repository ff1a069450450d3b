/**
 * Filter values and rules as people read them, for what a dashboard prints or sends without a
 * screen (PDF and PNG headers, emails, export results): "Order date: This year (default)".
 */
import type { JsonScalar } from '../../engines/types.ts';
import { columnLabel } from '../exports/present.ts';
import type { FilterRule } from '../query/index.ts';
import type { AppliedFilter } from './applied-filters.ts';

/** One filter in force, said for people. */
export interface FilterSummary {
  label: string;
  text: string;
  /** `default`: the dashboard's default; `request`: asked for; `schedule`: the schedule's rule. */
  origin: 'default' | 'request' | 'schedule';
}

const MAX_LISTED = 5;
const scalar = (value: JsonScalar): string => (value === null ? '(empty)' : String(value));

function list(values: readonly JsonScalar[]): string {
  const shown = values.slice(0, MAX_LISTED).map(scalar).join(', ');
  return values.length > MAX_LISTED ? `${shown} and ${values.length - MAX_LISTED} more` : shown;
}

/** `["last", 7, "day"]` → "Last 7 days", `["this", "year"]` → "This year", `["this", "year", "to date"]` → "Year to date". */
export function relativeText(spec: readonly JsonScalar[]): string {
  const [direction, second, third] = spec;
  let words: string;
  if (direction === 'this') words = third === 'to date' ? `${second} to date` : `this ${second}`;
  else {
    const count = Number(second);
    words = `${direction} ${count === 1 ? '' : `${count} `}${third}${count === 1 ? '' : 's'}`;
  }
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A dashboard filter's value (`[…]`, `{from, to}`, `{min, max}`, `{relative}`) in words. */
export function valueText(value: unknown): string {
  if (Array.isArray(value)) return list(value as JsonScalar[]);
  if (value === null || typeof value !== 'object') return scalar(value as JsonScalar);
  const record = value as Record<string, JsonScalar | JsonScalar[] | undefined>;
  if (Array.isArray(record.relative)) return relativeText(record.relative);
  const low = record.from ?? record.min;
  const high = record.to ?? record.max;
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(low) && has(high)) return `${low} to ${high}`;
  if (has(low)) return `from ${low}`;
  if (has(high)) return `up to ${high}`;
  return 'any';
}

/** A schedule's own rule: `Country in France, Spain`, `Sum of price > 1000`. */
export function ruleSummary(rule: FilterRule): FilterSummary {
  const text =
    rule.operator === 'relative'
      ? relativeText(rule.values)
      : rule.operator === 'in' || rule.operator === '='
        ? list(rule.values)
        : `${rule.operator} ${list(rule.values)}`.trim();
  return { label: columnLabel(rule.field.slice(rule.field.lastIndexOf('.') + 1)), text, origin: 'schedule' };
}

/** One line for a document header or an email: "Filters: Order date: This year (default); …". */
export function filtersLine(summaries: readonly FilterSummary[]): string {
  if (summaries.length === 0) return 'Filters: none (all data)';
  const parts = summaries.map((s) => `${s.label}: ${s.text}${s.origin === 'default' ? ' (default)' : ''}`);
  return `Filters: ${parts.join('; ')}`;
}

export const appliedSummary = ({ filter, value, origin }: AppliedFilter): FilterSummary => ({
  label: filter.label || columnLabel(filter.field),
  text: valueText(value),
  origin,
});
