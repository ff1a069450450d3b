/**
 * The one reader of ISO-8601 dates and date-times in untrusted input (pushed rows, filter
 * values): `YYYY-MM-DD`, then optionally `T` or a space, `HH:MM`, seconds, a fraction of up to
 * nine digits (read to the millisecond) and an offset (`Z`, `±HH`, `±HHMM`, `±HH:MM`). Days
 * that do not exist (2024-02-30) and times past 23:59:59 are refused, not rolled over. What a
 * value without offset means is the caller's business (UTC for stored rows, the query's time
 * zone for filters), so this only reads what is written.
 */
export interface IsoDateTime {
  /** The written date, `YYYY-MM-DD`. */
  date: string;
  /** The written date and time as if it were UTC, in milliseconds since the epoch. */
  wallClock: number;
  /** The written offset in minutes east of UTC; undefined when none is written. */
  offsetMinutes: number | undefined;
}

const isoText =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export function parseIsoDateTime(text: string): IsoDateTime | undefined {
  const match = isoText.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = match;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  // setUTCFullYear, unlike Date.UTC, reads year 0050 as 50, not 1950.
  const day = new Date(0);
  day.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  // It rolls 2024-02-31 over to March: a changed day or month means the date does not exist.
  if (day.getUTCDate() !== Number(d) || day.getUTCMonth() !== Number(mo) - 1) return undefined;
  day.setUTCHours(Number(h), Number(mi), Number(s), Number(fraction.padEnd(3, '0').slice(0, 3)));
  const offsetMinutes = zone === undefined ? undefined : minutesOf(zone);
  return { date: `${y}-${mo}-${d}`, wallClock: day.getTime(), offsetMinutes };
}

function minutesOf(zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
  return zone.startsWith('-') ? -minutes : minutes;
}

/** The instant an ISO value names, reading one without offset as UTC. */
export const utcMillisOf = (parsed: IsoDateTime): number =>
  parsed.wallClock - (parsed.offsetMinutes ?? 0) * 60_000;
