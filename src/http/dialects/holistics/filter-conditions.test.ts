import { afterEach, describe, expect, it, vi } from 'vitest';
import { filterValueOf } from './filter-conditions.ts';

const matches = (text: string) =>
  filterValueOf('date_range', { operator: 'matches', values: [text] }, 'dashboard_filter_conditions[0]');

describe('Holistics `matches` phrases on a date filter', () => {
  afterEach(() => vi.useRealTimers());

  it('writes "N periods ago" as the days of that one whole period, as of today (UTC, weeks from Monday)', () => {
    vi.useFakeTimers({ now: new Date('2026-12-07T10:00:00Z'), toFake: ['Date'] });
    // The seed's export tutorial: `matches ["2 months ago"]`.
    expect(matches('2 months ago')).toEqual({ from: '2026-10-01', to: '2026-10-31' });
    expect(matches('1 month ago')).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(matches('13 months ago')).toEqual({ from: '2025-11-01', to: '2025-11-30' });
    expect(matches('1 day ago')).toEqual({ from: '2026-12-06', to: '2026-12-06' });
    expect(matches('1 week ago')).toEqual({ from: '2026-11-30', to: '2026-12-06' });
    expect(matches('1 quarter ago')).toEqual({ from: '2026-07-01', to: '2026-09-30' });
    expect(matches('2 years ago')).toEqual({ from: '2024-01-01', to: '2024-12-31' });
    expect(matches('3 days from now')).toEqual({ from: '2026-12-10', to: '2026-12-10' });
  });

  it('keeps the relative periods it had, and refuses hours ago naming the values', () => {
    expect(matches('last 3 days')).toEqual({ relative: ['last', 3, 'day'] });
    expect(() => matches('2 hours ago')).toThrow(/values/);
  });
});
