/**
 * Time zones in JavaScript, from the runtime's Intl data (browser-safe: Explore's drill-through
 * uses it too). A *wall* time is a number of milliseconds whose UTC fields are the zone's local
 * fields (the wall of 2024-03-31T01:30Z in Europe/Paris reads 2024-03-31 03:30). Relative date
 * ranges are computed on wall times and turned into UTC instants here, so they follow the zone's
 * daylight-saving changes the way the engines' own zone conversions do.
 */

/** The calendar a query computes its dates in. */
export interface Calendar {
  /** A canonical IANA name; absent = UTC, where no conversion happens at all. */
  timeZone?: string;
  /** ISO day number weeks start on: 1 = Monday … 7 = Sunday. */
  weekStart: number;
}

/**
 * The runtime's canonical name of an IANA zone (`europe/paris` → `Europe/Paris`, `Etc/UTC` →
 * `UTC`), or undefined when the runtime does not know it or it is not a plain name. Offsets such
 * as `+01:00` are refused: PostgreSQL reads POSIX offsets with the opposite sign.
 */
export function canonicalTimeZone(zone: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, format);
  }
  return format;
}

/** The wall time of `instant` in `zone` (UTC when absent). */
export function wallOf(zone: string | undefined, instant: number): number {
  if (zone === undefined) return instant;
  const fields: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(instant)) fields[part.type] = Number(part.value);
  const wall = new Date(0);
  // setUTCFullYear, not Date.UTC, which reads years 0–99 as 1900–1999.
  wall.setUTCFullYear(fields.year, fields.month - 1, fields.day);
  wall.setUTCHours(fields.hour, fields.minute, fields.second, ((instant % 1000) + 1000) % 1000);
  return wall.getTime();
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** How far the zone's clock is ahead of UTC at `instant`, in milliseconds. */
const offsetAt = (zone: string, instant: number): number => wallOf(zone, instant) - instant;

/**
 * The stretches of [from, to) over which the zone keeps one UTC offset. Offsets are sampled every
 * six hours and each change is bisected to the millisecond; no zone changes its offset twice
 * within six hours.
 */
function stretches(zone: string, from: number, to: number) {
  const found: Array<{ start: number; end: number; offset: number }> = [];
  let start = from;
  let offset = offsetAt(zone, from);
  let at = from;
  while (at < to) {
    const next = Math.min(at + 6 * HOUR, to);
    if (offsetAt(zone, next) === offset) {
      at = next;
      continue;
    }
    let before = at;
    let after = next;
    while (after - before > 1) {
      const middle = Math.floor((before + after) / 2);
      if (offsetAt(zone, middle) === offset) before = middle;
      else after = middle;
    }
    found.push({ start, end: after, offset });
    start = after;
    at = after;
    offset = offsetAt(zone, after);
  }
  found.push({ start, end: to, offset });
  return found;
}

/**
 * The first instant whose wall time in `zone` is `wall` or later: the earlier of two when the
 * clock was set back, the end of the gap when the wall time was skipped (a midnight that does not
 * exist starts its day at 01:00).
 */
export function instantOf(zone: string | undefined, wall: number): number {
  if (zone === undefined) return wall;
  // Most wall times are a day away from any change of offset: one offset, one instant.
  const offset = offsetAt(zone, wall - DAY);
  if (offsetAt(zone, wall + DAY) === offset) return wall - offset;
  for (const { start, end, offset } of stretches(zone, wall - 2 * DAY, wall + 2 * DAY)) {
    const instant = Math.max(start, wall - offset);
    if (instant < end) return instant;
  }
  // Unreachable: the last stretch's offset is at most a day, so wall - offset falls inside the window.
  throw new Error(`no instant for wall time ${wall} in ${zone}`);
}
