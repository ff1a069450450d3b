import { describe, expect, it } from 'vitest';
import {
  describeSchedule,
  fromCron,
  type HumanSchedule,
  toCron,
  zonedTime,
} from '../web/src/components/schedule-text.ts';

/** The web forms' schedules as people say them, and the cron the server stores. */
describe('human schedules', () => {
  const base: HumanSchedule = { frequency: 'daily', time: '07:30', weekday: 1, day: 1, cron: '' };

  it('writes the cron of each form and reads it back', () => {
    const cases: Array<[Partial<HumanSchedule>, string, string]> = [
      [{ frequency: 'hourly', time: '00:15' }, '15 * * * *', 'Every hour at :15'],
      [{ frequency: 'daily' }, '30 7 * * *', 'Every day at 07:30'],
      [{ frequency: 'weekdays' }, '30 7 * * 1-5', 'Every weekday at 07:30'],
      [{ frequency: 'weekly', time: '08:00', weekday: 1 }, '0 8 * * 1', 'Every Monday at 08:00'],
      [{ frequency: 'monthly', time: '09:00', day: 1 }, '0 9 1 * *', 'First day of the month at 09:00'],
      [{ frequency: 'monthly', time: '09:00', day: 22 }, '0 9 22 * *', 'On the 22nd of every month at 09:00'],
    ];
    for (const [form, cron, text] of cases) {
      const schedule = { ...base, ...form };
      expect(toCron(schedule)).toBe(cron);
      expect(fromCron(cron)).toMatchObject(form);
      expect(describeSchedule(cron)).toBe(text);
    }
  });

  it('keeps what the forms cannot say as custom cron', () => {
    for (const cron of ['*/5 * * * *', '0 8 * 1 1', '0 8 29 * *', '0 8,12 * * *', 'nonsense']) {
      expect(fromCron(cron)).toMatchObject({ frequency: 'custom', cron });
      expect(describeSchedule(cron)).toBe(`Cron ${cron}`);
    }
    expect(toCron({ ...base, frequency: 'custom', cron: ' 5 4 * * 0 ' })).toBe('5 4 * * 0');
  });

  it('prints an instant on the schedule own clock, with its zone', () => {
    // 2025-12-08T07:00Z is 08:00 in Paris (winter) and 02:00 in New York.
    expect(zonedTime('2025-12-08T07:00:00Z', 'Europe/Paris')).toBe(
      'Monday 8 December 2025, 08:00 (Europe/Paris)',
    );
    expect(zonedTime('2025-12-08T07:00:00Z', 'America/New_York', 'short')).toBe(
      'Mon 8 Dec 2025, 02:00 (America/New_York)',
    );
  });
});
