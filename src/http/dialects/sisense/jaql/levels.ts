import { validationError } from '../../../../core/errors.ts';
import { shift, startOf } from '../../../../core/query/index.ts';
import type { FilterNode, Period } from '../../../../core/query/ir.ts';

/**
 * JAQL date `level`s: a datetime attribute bucketed by a calendar period, answered as the
 * period's start (`2024-01-01T00:00:00`, Sisense's text of a date member).
 */
export const levels: Record<string, Period> = {
  years: 'year',
  quarters: 'quarter',
  months: 'month',
  weeks: 'week',
  days: 'day',
  hours: 'hour',
  minutes: 'minute',
};

export function periodOfLevel(level: string, path: string): Period {
  const period = levels[level.toLowerCase()];
  if (!period)
    throw validationError(
      path,
      `unknown level ${JSON.stringify(level)} (one of ${Object.keys(levels).join(', ')})`,
    );
  return period;
}

/** A date member or bound as Sisense writes it: `2024-01-01T00:00:00` (no zone: the query's wall time). */
export function jaqlDate(value: unknown, path: string): Date {
  const text = typeof value === 'string' ? value.trim() : '';
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]00:?00)?$/.exec(text);
  const date = match
    ? new Date(
        Date.UTC(+match[1], +match[2] - 1, +match[3], +(match[4] ?? 0), +(match[5] ?? 0), +(match[6] ?? 0)),
      )
    : undefined;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text.slice(0, 10))
    throw validationError(path, `expected a date like "2024-01-31T00:00:00", got ${JSON.stringify(value)}`);
  return date;
}

/** `2024-01-01T00:00:00`: how Sisense writes a date (and how filter values reach the core). */
export const sisenseDateText = (date: Date): string => date.toISOString().slice(0, 19);

/** The start of the period after the one starting at `start` (UTC wall time). */
export const nextPeriod = (start: Date, period: Period): Date => shift(start, period, 1);

/** The start of the period holding `date` (weeks start on Monday, the query core's default). */
export const periodStart = (date: Date, period: Period): Date => startOf(period, date, 1);

/** The period a member or bound names, as filter values: `[start, next start)`. */
export function periodBounds(value: unknown, period: Period, path: string): { start: string; end: string } {
  const start = periodStart(jaqlDate(value, path), period);
  return { start: sisenseDateText(start), end: sisenseDateText(nextPeriod(start, period)) };
}

/** The rows of `field` in the period a member names. */
export function periodRule(field: string, member: unknown, period: Period, path: string): FilterNode {
  const { start, end } = periodBounds(member, period, path);
  return {
    and: [
      { field, operator: '>=', values: [start] },
      { field, operator: '<', values: [end] },
    ],
  };
}

/**
 * `{last|next: {count, offset}}` on a levelled date: `count` periods ending `offset` periods
 * before the current one (`last`; offset 0 includes the current period) or starting `offset`
 * periods after it (`next`; offset 0 includes the current one), as the IR's relative periods
 * (which never include the current one except `this`) composed with and / or / not.
 */
export function relativePeriods(
  field: string,
  direction: 'last' | 'next',
  count: number,
  offset: number,
  period: Period,
): FilterNode {
  const relative = (values: Array<string | number>): FilterNode => ({ field, operator: 'relative', values });
  /** Periods before (or after) the current one, the nearest `n`; none when n is 0. */
  const beyond = (n: number): FilterNode | undefined =>
    n > 0 ? relative([direction, n, period]) : undefined;
  if (offset === 0) {
    const rest = beyond(count - 1);
    const current = relative(['this', period]);
    return rest ? { or: [current, rest] } : current;
  }
  // Periods offset … offset + count − 1 away: the nearest offset + count − 1, less the nearest offset − 1.
  const outer = beyond(offset + count - 1) as FilterNode;
  const inner = beyond(offset - 1);
  return inner ? { and: [outer, { not: inner }] } : outer;
}
