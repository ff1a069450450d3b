import type { Period } from './ir.ts';
import type { RelativeSpec } from './values.ts';

/**
 * Relative periods → a half-open UTC range [start, end). Computed in JS (not SQL) so the three
 * dialects agree, tests can pin "now", and the bounds become parameters of the cache key.
 */
export function relativeRange(spec: RelativeSpec, now: Date): { start: Date; end: Date } {
  const current = startOf(spec.unit, now);
  if (spec.direction === 'this') {
    const end = shift(current, spec.unit, 1);
    if (!spec.toDate) return { start: current, end };
    // Up to the end of today, not now: the bounds stay the same all day, and so does the cache key.
    const tomorrow = shift(startOf('day', now), 'day', 1);
    return { start: current, end: new Date(Math.min(tomorrow.getTime(), end.getTime())) };
  }
  if (spec.direction === 'last') return { start: shift(current, spec.unit, -spec.count), end: current };
  const next = shift(current, spec.unit, 1);
  return { start: next, end: shift(next, spec.unit, spec.count) };
}

/** The start of the unit containing `date`; weeks start on Monday (ISO), like the SQL buckets. */
function startOf(unit: Period, date: Date): Date {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  const d = date.getUTCDate();
  switch (unit) {
    case 'year':
      return new Date(Date.UTC(y, 0, 1));
    case 'quarter':
      return new Date(Date.UTC(y, m - (m % 3), 1));
    case 'month':
      return new Date(Date.UTC(y, m, 1));
    case 'week':
      return new Date(Date.UTC(y, m, d - ((date.getUTCDay() + 6) % 7)));
    case 'day':
      return new Date(Date.UTC(y, m, d));
    case 'hour':
      return new Date(Date.UTC(y, m, d, date.getUTCHours()));
    case 'minute':
      return new Date(Date.UTC(y, m, d, date.getUTCHours(), date.getUTCMinutes()));
  }
}

/** `date` moved by `count` units; `date` is a unit start, so month arithmetic never overflows a day. */
export function shift(date: Date, unit: Period, count: number): Date {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  const d = date.getUTCDate();
  const h = date.getUTCHours();
  const mi = date.getUTCMinutes();
  const moved: Record<Period, () => number> = {
    year: () => Date.UTC(y + count, m, d),
    quarter: () => Date.UTC(y, m + 3 * count, d),
    month: () => Date.UTC(y, m + count, d),
    week: () => Date.UTC(y, m, d + 7 * count),
    day: () => Date.UTC(y, m, d + count),
    hour: () => Date.UTC(y, m, d, h + count),
    minute: () => Date.UTC(y, m, d, h, mi + count),
  };
  return new Date(moved[unit]());
}
