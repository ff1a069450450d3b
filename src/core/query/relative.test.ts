import { describe, expect, it } from 'vitest';
import { relativeDates, relativeRange } from './relative.ts';

const range = (
  direction: 'last' | 'this' | 'next',
  count: number,
  unit: Parameters<typeof relativeRange>[0]['unit'],
  now: string,
) => {
  const { start, end } = relativeRange({ direction, count, unit }, new Date(now), { weekStart: 1 });
  return [start.toISOString(), end.toISOString()];
};

describe('relativeRange (UTC, whole units, half-open)', () => {
  it('last n units end where the current unit starts', () => {
    expect(range('last', 7, 'day', '2024-03-03T15:00:00Z')).toEqual([
      '2024-02-25T00:00:00.000Z',
      '2024-03-03T00:00:00.000Z',
    ]);
    expect(range('last', 1, 'month', '2024-01-31T23:59:59Z')).toEqual([
      '2023-12-01T00:00:00.000Z',
      '2024-01-01T00:00:00.000Z',
    ]);
    expect(range('last', 2, 'quarter', '2024-05-10T00:00:00Z')).toEqual([
      '2023-10-01T00:00:00.000Z',
      '2024-04-01T00:00:00.000Z',
    ]);
  });

  it('weeks start on Monday, also when today is Sunday', () => {
    expect(range('this', 1, 'week', '2024-03-03T10:00:00Z')).toEqual([
      '2024-02-26T00:00:00.000Z',
      '2024-03-04T00:00:00.000Z',
    ]);
  });

  it('next n units start after the current one', () => {
    expect(range('next', 2, 'week', '2024-04-20T12:00:00Z')).toEqual([
      '2024-04-22T00:00:00.000Z',
      '2024-05-06T00:00:00.000Z',
    ]);
    expect(range('next', 1, 'year', '2024-12-31T23:00:00Z')).toEqual([
      '2025-01-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
    ]);
    expect(range('next', 90, 'minute', '2024-01-01T23:59:30Z')).toEqual([
      '2024-01-02T00:00:00.000Z',
      '2024-01-02T01:30:00.000Z',
    ]);
  });

  it('this hour', () => {
    expect(range('this', 1, 'hour', '2024-01-01T08:42:00Z')).toEqual([
      '2024-01-01T08:00:00.000Z',
      '2024-01-01T09:00:00.000Z',
    ]);
  });

  it('this unit to date ends with today', () => {
    const toDate = (unit: 'year' | 'month' | 'hour', now: string) => {
      const { start, end } = relativeRange(
        { direction: 'this', count: 1, unit, toDate: true },
        new Date(now),
        { weekStart: 1 },
      );
      return [start.toISOString(), end.toISOString()];
    };
    expect(toDate('year', '2024-05-10T08:00:00Z')).toEqual([
      '2024-01-01T00:00:00.000Z',
      '2024-05-11T00:00:00.000Z',
    ]);
    expect(toDate('month', '2024-02-29T23:59:00Z')).toEqual([
      '2024-02-01T00:00:00.000Z',
      '2024-03-01T00:00:00.000Z',
    ]);
    // A unit shorter than a day ends with itself.
    expect(toDate('hour', '2024-01-01T08:42:00Z')).toEqual([
      '2024-01-01T08:00:00.000Z',
      '2024-01-01T09:00:00.000Z',
    ]);
  });
});

type Spec = Parameters<typeof relativeRange>[0];
const inZone = (spec: Spec, now: string, timeZone?: string, weekStart = 1) => {
  const { start, end } = relativeRange(spec, new Date(now), { timeZone, weekStart });
  return [start.toISOString(), end.toISOString()];
};
const dates = (spec: Spec, now: string, timeZone?: string, weekStart = 1) => {
  const { start, end } = relativeDates(spec, new Date(now), { timeZone, weekStart });
  return [start, end];
};
const thisDay: Spec = { direction: 'this', count: 1, unit: 'day' };
const thisHour: Spec = { direction: 'this', count: 1, unit: 'hour' };
const thisWeek: Spec = { direction: 'this', count: 1, unit: 'week' };

describe('relative periods in a time zone', () => {
  it('a day is the zone’s calendar day: 23 hours when Paris springs forward, 25 when it falls back', () => {
    expect(inZone(thisDay, '2024-03-31T12:00:00Z', 'Europe/Paris')).toEqual([
      '2024-03-30T23:00:00.000Z',
      '2024-03-31T22:00:00.000Z',
    ]);
    expect(
      inZone({ direction: 'last', count: 1, unit: 'day' }, '2024-03-31T12:00:00Z', 'Europe/Paris'),
    ).toEqual(['2024-03-29T23:00:00.000Z', '2024-03-30T23:00:00.000Z']);
    expect(inZone(thisDay, '2024-10-27T12:00:00Z', 'Europe/Paris')).toEqual([
      '2024-10-26T22:00:00.000Z',
      '2024-10-27T23:00:00.000Z',
    ]);
    expect(
      inZone({ direction: 'this', count: 1, unit: 'month' }, '2024-10-27T12:00:00Z', 'Europe/Paris'),
    ).toEqual(['2024-09-30T22:00:00.000Z', '2024-10-31T23:00:00.000Z']);
  });

  it('hours are real hours from the zone’s current hour, the repeated hour counted twice', () => {
    // 03:30 CEST, just after the skipped hour: the three hours before 03:00 CEST.
    expect(
      inZone({ direction: 'last', count: 3, unit: 'hour' }, '2024-03-31T01:30:00Z', 'Europe/Paris'),
    ).toEqual(['2024-03-30T22:00:00.000Z', '2024-03-31T01:00:00.000Z']);
    // 02:30 CET, the second pass of 02:xx: this hour is the second pass, the last hour the first.
    expect(inZone(thisHour, '2024-10-27T01:30:00Z', 'Europe/Paris')).toEqual([
      '2024-10-27T01:00:00.000Z',
      '2024-10-27T02:00:00.000Z',
    ]);
    expect(
      inZone({ direction: 'last', count: 1, unit: 'hour' }, '2024-10-27T01:30:00Z', 'Europe/Paris'),
    ).toEqual(['2024-10-27T00:00:00.000Z', '2024-10-27T01:00:00.000Z']);
  });

  it('a half-hour offset (Asia/Kolkata, UTC+5:30) moves days and hours by half an hour', () => {
    expect(inZone(thisDay, '2024-04-20T12:00:00Z', 'Asia/Kolkata')).toEqual([
      '2024-04-19T18:30:00.000Z',
      '2024-04-20T18:30:00.000Z',
    ]);
    expect(inZone(thisHour, '2024-04-20T12:00:00Z', 'Asia/Kolkata')).toEqual([
      '2024-04-20T11:30:00.000Z',
      '2024-04-20T12:30:00.000Z',
    ]);
    // 20:00 UTC is already 01:30 the next day in India.
    expect(inZone(thisDay, '2024-04-20T20:00:00Z', 'Asia/Kolkata')).toEqual([
      '2024-04-20T18:30:00.000Z',
      '2024-04-21T18:30:00.000Z',
    ]);
    expect(dates(thisDay, '2024-04-20T20:00:00Z', 'Asia/Kolkata')).toEqual(['2024-04-21', '2024-04-22']);
  });

  it('a day whose midnight does not exist starts when the clock does (Chile, 8 September 2024)', () => {
    expect(inZone(thisDay, '2024-09-08T12:00:00Z', 'America/Santiago')).toEqual([
      '2024-09-08T04:00:00.000Z',
      '2024-09-09T03:00:00.000Z',
    ]);
    expect(dates(thisDay, '2024-09-08T12:00:00Z', 'America/Santiago')).toEqual(['2024-09-08', '2024-09-09']);
  });

  it('weeks start on the calendar’s week start', () => {
    // Saturday 20 April 2024.
    expect(dates(thisWeek, '2024-04-20T12:00:00Z', undefined, 1)).toEqual(['2024-04-15', '2024-04-22']);
    expect(dates(thisWeek, '2024-04-20T12:00:00Z', undefined, 7)).toEqual(['2024-04-14', '2024-04-21']);
    expect(dates(thisWeek, '2024-04-20T12:00:00Z', undefined, 6)).toEqual(['2024-04-20', '2024-04-27']);
    expect(
      dates({ direction: 'last', count: 2, unit: 'week' }, '2024-04-20T12:00:00Z', undefined, 3),
    ).toEqual(['2024-04-03', '2024-04-17']);
    // Sunday 02:00 UTC is still Saturday evening in New York: the week started on the 14th there.
    expect(inZone(thisWeek, '2024-04-21T02:00:00Z', 'America/New_York', 7)).toEqual([
      '2024-04-14T04:00:00.000Z',
      '2024-04-21T04:00:00.000Z',
    ]);
  });
});

describe('rolling relative periods', () => {
  const rolling = (direction: 'last' | 'next', count: number, unit: Spec['unit']): Spec => ({
    direction,
    count,
    unit,
    rolling: true,
  });

  it('run from now back or forward by whole units', () => {
    expect(inZone(rolling('last', 7, 'day'), '2024-04-20T12:34:56Z')).toEqual([
      '2024-04-13T12:34:56.000Z',
      '2024-04-20T12:34:56.000Z',
    ]);
    expect(inZone(rolling('next', 2, 'hour'), '2024-04-20T12:34:56Z')).toEqual([
      '2024-04-20T12:34:56.000Z',
      '2024-04-20T14:34:56.000Z',
    ]);
    expect(inZone(rolling('last', 90, 'minute'), '2024-04-20T00:30:00Z')).toEqual([
      '2024-04-19T23:00:00.000Z',
      '2024-04-20T00:30:00.000Z',
    ]);
  });

  it('a month back from the 31st ends on the last day of the shorter month', () => {
    expect(inZone(rolling('last', 1, 'month'), '2024-03-31T10:00:00Z')).toEqual([
      '2024-02-29T10:00:00.000Z',
      '2024-03-31T10:00:00.000Z',
    ]);
    expect(inZone(rolling('last', 1, 'year'), '2024-02-29T10:00:00Z')).toEqual([
      '2023-02-28T10:00:00.000Z',
      '2024-02-29T10:00:00.000Z',
    ]);
  });

  it('days are calendar days of the zone, so the day before a change of clocks is 25 hours back', () => {
    // 13:00 CET on the 27th; 13:00 CEST on the 26th was 11:00 UTC.
    expect(inZone(rolling('last', 1, 'day'), '2024-10-27T12:00:00Z', 'Europe/Paris')).toEqual([
      '2024-10-26T11:00:00.000Z',
      '2024-10-27T12:00:00.000Z',
    ]);
  });

  it('on a date column a date counts as its midnight', () => {
    expect(dates(rolling('last', 7, 'day'), '2024-04-20T12:00:00Z')).toEqual(['2024-04-14', '2024-04-21']);
    expect(dates(rolling('last', 7, 'day'), '2024-04-20T00:00:00Z')).toEqual(['2024-04-13', '2024-04-20']);
    expect(dates(rolling('next', 7, 'day'), '2024-04-20T12:00:00Z')).toEqual(['2024-04-21', '2024-04-28']);
    // 20:00 UTC is 01:30 on the 21st in Kolkata: the local date decides.
    expect(dates(rolling('last', 1, 'day'), '2024-04-20T20:00:00Z', 'Asia/Kolkata')).toEqual([
      '2024-04-21',
      '2024-04-22',
    ]);
  });
});
