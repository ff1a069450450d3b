/*
 * Schedules as people say them ("Every Monday at 08:00") and as the server stores them (five-field
 * cron). A cron expression the forms below cannot say stays custom, shown as it is.
 */

export type Frequency = 'hourly' | 'daily' | 'weekdays' | 'weekly' | 'monthly' | 'custom';

export interface HumanSchedule {
  frequency: Frequency;
  /** `HH:MM`; hourly schedules use only the minutes. */
  time: string;
  /** 0 = Sunday … 6 = Saturday, as cron counts. */
  weekday: number;
  /** Day of the month, 1 to 28 (every month has it). */
  day: number;
  /** The expression itself, for `custom`. */
  cron: string;
}

export const FREQUENCIES: { id: Frequency; label: string }[] = [
  { id: 'hourly', label: 'Every hour' },
  { id: 'daily', label: 'Every day' },
  { id: 'weekdays', label: 'Every weekday (Monday to Friday)' },
  { id: 'weekly', label: 'Every week' },
  { id: 'monthly', label: 'Every month' },
  { id: 'custom', label: 'Custom (cron)' },
];

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const pad = (n: number) => String(n).padStart(2, '0');

function clock(time: string): [number, number] {
  const [h, m] = time.split(':').map(Number);
  return [Number.isInteger(h) ? h : 0, Number.isInteger(m) ? m : 0];
}

export function toCron(schedule: HumanSchedule): string {
  const [hour, minute] = clock(schedule.time);
  switch (schedule.frequency) {
    case 'hourly':
      return `${minute} * * * *`;
    case 'daily':
      return `${minute} ${hour} * * *`;
    case 'weekdays':
      return `${minute} ${hour} * * 1-5`;
    case 'weekly':
      return `${minute} ${hour} * * ${schedule.weekday}`;
    case 'monthly':
      return `${minute} ${hour} ${schedule.day} * *`;
    case 'custom':
      return schedule.cron.trim();
  }
}

const NUMBER = /^\d{1,2}$/;

/** The form a cron expression fills; anything else is custom. */
export function fromCron(cron: string): HumanSchedule {
  const fields = cron.trim().split(/\s+/);
  const custom: HumanSchedule = { frequency: 'custom', time: '08:00', weekday: 1, day: 1, cron: cron.trim() };
  if (fields.length !== 5) return custom;
  const [minute, hour, day, month, weekday] = fields;
  if (!NUMBER.test(minute) || Number(minute) > 59 || month !== '*') return custom;
  const base = { ...custom, cron: cron.trim() };
  if (hour === '*' && day === '*' && weekday === '*')
    return { ...base, frequency: 'hourly', time: `00:${pad(Number(minute))}` };
  if (!NUMBER.test(hour) || Number(hour) > 23) return custom;
  const time = `${pad(Number(hour))}:${pad(Number(minute))}`;
  if (day === '*' && weekday === '*') return { ...base, frequency: 'daily', time };
  if (day === '*' && weekday === '1-5') return { ...base, frequency: 'weekdays', time };
  if (day === '*' && /^[0-6]$/.test(weekday))
    return { ...base, frequency: 'weekly', time, weekday: Number(weekday) };
  if (weekday === '*' && NUMBER.test(day) && Number(day) >= 1 && Number(day) <= 28)
    return { ...base, frequency: 'monthly', time, day: Number(day) };
  return custom;
}

const ordinal = (n: number) =>
  `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`;

/** "Every Monday at 08:00", "First day of the month at 09:00", "Cron 5 4 * * 0". */
export function describeSchedule(cron: string): string {
  const s = fromCron(cron);
  switch (s.frequency) {
    case 'hourly':
      return `Every hour at :${s.time.slice(3)}`;
    case 'daily':
      return `Every day at ${s.time}`;
    case 'weekdays':
      return `Every weekday at ${s.time}`;
    case 'weekly':
      return `Every ${WEEKDAYS[s.weekday]} at ${s.time}`;
    case 'monthly':
      return s.day === 1
        ? `First day of the month at ${s.time}`
        : `On the ${ordinal(s.day)} of every month at ${s.time}`;
    case 'custom':
      return `Cron ${s.cron}`;
  }
}

/**
 * "Monday 8 December 2025, 08:00 (Europe/Paris)" (`short`: "Mon 8 Dec 2025, 08:00 (Europe/Paris)"):
 * an instant on the schedule's own clock.
 */
export function zonedTime(iso: string, timezone: string, length: 'long' | 'short' = 'long'): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      weekday: length,
      day: 'numeric',
      month: length,
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute} (${timezone})`;
}

/** The browser's IANA zone, which a new schedule starts with. */
export const browserTimezone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** Every IANA zone the browser knows, UTC first. */
export function timezones(): string[] {
  const zones = Intl.supportedValuesOf('timeZone').filter((zone) => zone.includes('/'));
  return ['UTC', ...zones];
}
