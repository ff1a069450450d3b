import { Cron } from 'croner';
import { validationError } from '../errors.ts';

/**
 * Cron expressions are the classic five fields (minute precision), or six with seconds first as
 * Quartz writes them (`0 0 12 * * ?`), for webhooks and alerts that must react within seconds.
 * A fire time is seen at the next tick of the scheduler, so finer than its tick only skips times.
 */
const patternOf = (cron: string, timezone?: string) =>
  new Cron(cron, {
    timezone,
    mode: cron.trim().split(/\s+/).length === 6 ? '6-part' : '5-part',
    paused: true,
    domAndDow: false,
  });

export function checkTimezone(timezone: string, field = 'timezone'): string {
  try {
    // Intl knows the IANA database; an unknown zone is a RangeError.
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw validationError(field, `unknown IANA timezone "${timezone}"`);
  }
  if (!timezone.includes('/') && timezone !== 'UTC') {
    throw validationError(field, `use an IANA name such as "Europe/Paris" or "UTC", not "${timezone}"`);
  }
  return timezone;
}

export function checkCron(cron: string, field = 'cron'): string {
  const trimmed = cron.trim().replace(/\s+/g, ' ');
  if (![5, 6].includes(trimmed.split(' ').length)) {
    throw validationError(
      field,
      'expected five fields (minute hour day-of-month month day-of-week) or six with seconds first',
    );
  }
  try {
    patternOf(trimmed);
  } catch (error) {
    throw validationError(field, error instanceof Error ? error.message : 'invalid cron expression');
  }
  return trimmed;
}

/** The first fire time strictly after `after`, or null when the expression never fires again. */
export function nextFireTime(cron: string, timezone: string, after: Date): Date | null {
  return patternOf(cron, timezone).nextRun(after);
}

/** Up to `count` fire times after `after`, in order (fewer when the expression stops firing). */
export function nextFireTimes(cron: string, timezone: string, after: Date, count: number): Date[] {
  return patternOf(cron, timezone).nextRuns(count, after);
}

/** `YYYY-MM-DD` and `YYYY-MM-DD HH:mm` of an instant in a timezone, for message variables. */
export function localDateTime(instant: Date, timezone: string): { date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  return { date, time: `${date} ${parts.hour}:${parts.minute}` };
}
