import type { Period } from './ir.ts';
import type { RelativeSpec } from './values.ts';
import { type Calendar, instantOf, wallOf } from './zone.ts';

/**
 * Relative periods → half-open ranges [start, end), computed in JS (not SQL) so the three
 * dialects agree, tests can pin "now", and the bounds become parameters of the cache key.
 *
 * The periods are calendar periods of the query's zone: they are computed on wall times (see
 * zone.ts), then a datetime column gets the UTC instants of those wall times (`relativeRange`) and
 * a date column the local dates (`relativeDates`). Hours and minutes are lengths of time rather
 * than calendar periods: they are counted in real time from the zone's current hour or minute, so
 * the hour repeated when clocks go back is two hours, as it was lived.
 */
export function relativeRange(spec: RelativeSpec, now: Date, calendar: Calendar): { start: Date; end: Date } {
  const zone = calendar.timeZone;
  const instant = now.getTime();
  const nowWall = wallOf(zone, instant);
  const [startWall, endWall] = wallRange(spec, nowWall, calendar.weekStart);
  const toInstant = (wall: number): number =>
    spec.unit === 'hour' || spec.unit === 'minute' ? instant + (wall - nowWall) : instantOf(zone, wall);
  // A rolling range ends (or starts) at now itself, not at the first instant of now's wall time.
  const start = spec.rolling && spec.direction === 'next' ? instant : toInstant(startWall);
  const end = spec.rolling && spec.direction === 'last' ? instant : toInstant(endWall);
  return { start: new Date(start), end: new Date(end) };
}

/**
 * The same period as dates (`YYYY-MM-DD`, end excluded) for a date column, which is not moved by
 * the zone: a date counts as its midnight, so a rolling bound in the middle of a day starts the
 * range at the next date ("last 7 days" at noon = the six previous days and today).
 */
export function relativeDates(
  spec: RelativeSpec,
  now: Date,
  calendar: Calendar,
): { start: string; end: string } {
  const nowWall = wallOf(calendar.timeZone, now.getTime());
  const [start, end] = wallRange(spec, nowWall, calendar.weekStart).map((wall) => {
    const midnight = startOf('day', new Date(wall), calendar.weekStart);
    const date = midnight.getTime() === wall ? midnight : shift(midnight, 'day', 1);
    return date.toISOString().slice(0, 10);
  });
  return { start, end };
}

/** The period as wall times: whole units around now, or from/to now itself when rolling. */
function wallRange(spec: RelativeSpec, nowWall: number, weekStart: number): [number, number] {
  const now = new Date(nowWall);
  const { unit, count } = spec;
  if (spec.rolling) {
    const other = shift(now, unit, spec.direction === 'last' ? -count : count).getTime();
    return spec.direction === 'last' ? [other, nowWall] : [nowWall, other];
  }
  const current = startOf(unit, now, weekStart);
  if (spec.direction === 'this') {
    const end = shift(current, unit, 1);
    if (!spec.toDate) return [current.getTime(), end.getTime()];
    // Up to the end of today, not now: the bounds stay the same all day, and so does the cache key.
    const tomorrow = shift(startOf('day', now, weekStart), 'day', 1);
    return [current.getTime(), Math.min(tomorrow.getTime(), end.getTime())];
  }
  if (spec.direction === 'last') return [shift(current, unit, -count).getTime(), current.getTime()];
  const next = shift(current, unit, 1);
  return [next.getTime(), shift(next, unit, count).getTime()];
}

/** The start of the unit containing `date` (UTC fields); weeks start on ISO day `weekStart`. */
export function startOf(unit: Period, date: Date, weekStart: number): Date {
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
      // getUTCDay counts from Sunday = 0, where ISO day 7 is Sunday.
      return new Date(Date.UTC(y, m, d - ((date.getUTCDay() - (weekStart % 7) + 7) % 7)));
    case 'day':
      return new Date(Date.UTC(y, m, d));
    case 'hour':
      return new Date(Date.UTC(y, m, d, date.getUTCHours()));
    case 'minute':
      return new Date(Date.UTC(y, m, d, date.getUTCHours(), date.getUTCMinutes()));
  }
}

/**
 * `date` moved by `count` units (UTC fields). Months, quarters and years keep the day of the
 * month where the target month has it, else its last day (31 March − 1 month = 29 February).
 */
export function shift(date: Date, unit: Period, count: number): Date {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  const d = date.getUTCDate();
  const time = date.getTime() - Date.UTC(y, m, d);
  const inMonth = (months: number): number => {
    const lastDay = new Date(Date.UTC(y, m + months + 1, 0)).getUTCDate();
    return Date.UTC(y, m + months, Math.min(d, lastDay)) + time;
  };
  const moved: Record<Period, () => number> = {
    year: () => inMonth(12 * count),
    quarter: () => inMonth(3 * count),
    month: () => inMonth(count),
    week: () => Date.UTC(y, m, d + 7 * count) + time,
    day: () => Date.UTC(y, m, d + count) + time,
    hour: () => date.getTime() + count * 3_600_000,
    minute: () => date.getTime() + count * 60_000,
  };
  return new Date(moved[unit]());
}
