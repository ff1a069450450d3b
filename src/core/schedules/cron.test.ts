import { describe, expect, it } from 'vitest';
import { RosettaError } from '../errors.ts';
import { checkCron, nextFireTimes } from './cron.ts';

describe('cron expressions', () => {
  it('fires five-field expressions on minutes and six-field ones on seconds', () => {
    const after = new Date('2026-03-01T10:00:02Z');
    expect(nextFireTimes('*/15 * * * *', 'UTC', after, 2).map((d) => d.toISOString())).toEqual([
      '2026-03-01T10:15:00.000Z',
      '2026-03-01T10:30:00.000Z',
    ]);
    expect(nextFireTimes('*/4 * * * * *', 'UTC', after, 3).map((d) => d.toISOString())).toEqual([
      '2026-03-01T10:00:04.000Z',
      '2026-03-01T10:00:08.000Z',
      '2026-03-01T10:00:12.000Z',
    ]);
    // Quartz's daily noon, `?` included.
    expect(nextFireTimes('0 0 12 * * ?', 'UTC', after, 1)[0].toISOString()).toBe('2026-03-01T12:00:00.000Z');
  });

  it('refuses other field counts and out-of-range values, naming the field', () => {
    for (const cron of ['* * * *', '* * * * * * *', '0 61 * * * *', 'every day']) {
      let error: unknown;
      try {
        checkCron(cron);
      } catch (caught) {
        error = caught;
      }
      expect(error, cron).toBeInstanceOf(RosettaError);
      expect((error as RosettaError).field, cron).toBe('cron');
    }
  });
});
