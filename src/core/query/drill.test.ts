import { describe, expect, it } from 'vitest';
import { bucketEnd, DrillError, drillQuery } from './drill.ts';

describe('drill-through queries', () => {
  it('turns each dimension into a filter on the point value, keeping filters and calculations', () => {
    const query = {
      source: 'sales',
      calculations: [{ name: 'revenue', formula: 'price * quantity' }],
      dimensions: ['country', { field: 'date', granularity: 'month' }, { field: 'category', alias: 'kind' }],
      metrics: [{ field: 'revenue', aggregation: 'sum' }],
      filters: { field: 'price', operator: '>', values: [20] },
      sorts: [{ field: 'sum_revenue', descending: true }],
      limit: 10,
      variables: { region: 'EU' },
    };
    const point = { country: 'France', date_month: '2024-12-01', kind: null, sum_revenue: 1234.5 };
    expect(drillQuery(query, point)).toEqual({
      source: 'sales',
      calculations: [{ name: 'revenue', formula: 'price * quantity' }],
      filters: {
        and: [
          { field: 'price', operator: '>', values: [20] },
          { field: 'country', operator: '=', values: ['France'] },
          { field: 'date', operator: '>=', values: ['2024-12-01'] },
          { field: 'date', operator: '<', values: ['2025-01-01'] },
          { field: 'category', operator: 'null' },
        ],
      },
      variables: { region: 'EU' },
      aggregate: false,
      limit: 500,
      count: true,
    });
  });

  it('keeps a metric-only query to its filters, and needs a value for every dimension', () => {
    expect(drillQuery({ source: 's', dimensions: [] }, { count: 3 }, 20)).toEqual({
      source: 's',
      aggregate: false,
      limit: 20,
      count: true,
    });
    expect(() => drillQuery({ source: 's', dimensions: ['country'] }, {})).toThrow(DrillError);
  });

  it('cannot drill into a weekday, which spans every week', () => {
    const query = { source: 's', dimensions: [{ field: 'date', granularity: 'weekday' }] };
    expect(() => drillQuery(query, { date_weekday: 1 })).toThrow(/weekday cannot be drilled/);
  });

  it.each([
    ['2024-01-01', 'year', '2025-01-01'],
    ['2024-10-01', 'quarter', '2025-01-01'],
    ['2024-01-01', 'month', '2024-02-01'],
    ['2024-12-30', 'week', '2025-01-06'],
    ['2024-02-28', 'day', '2024-02-29'],
    ['2024-03-31 23:00:00', 'hour', '2024-04-01T00:00:00.000Z'],
    ['2024-03-01T10:59:00.000Z', 'minute', '2024-03-01T11:00:00.000Z'],
  ] as const)('the bucket starting %s by %s ends at %s', (start, granularity, end) => {
    expect(bucketEnd(start, granularity)).toBe(end);
  });

  it('refuses a bucket value that is not a date', () => {
    expect(() => bucketEnd('soon', 'day')).toThrow(DrillError);
  });
});
