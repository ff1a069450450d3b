import { describe, expect, it } from 'vitest';
import { relativeRange } from './relative.ts';

const range = (
  direction: 'last' | 'this' | 'next',
  count: number,
  unit: Parameters<typeof relativeRange>[0]['unit'],
  now: string,
) => {
  const { start, end } = relativeRange({ direction, count, unit }, new Date(now));
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
