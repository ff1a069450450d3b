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
    // Without an offset the end has none either: a query in a zone reads both as its wall clock.
    ['2024-03-31 23:00:00', 'hour', '2024-04-01T00:00:00.000'],
    ['2024-03-01T10:59:00.000Z', 'minute', '2024-03-01T11:00:00.000Z'],
  ] as const)('the bucket starting %s by %s ends at %s', (start, granularity, end) => {
    expect(bucketEnd(start, granularity)).toBe(end);
  });

  it('turns a bin into its range: [bound, bound + width), the ranges of a label, or outside every range', () => {
    const query = {
      source: 's',
      dimensions: [
        { field: 'price', bin: { width: 2.5, offset: 1 } },
        {
          field: 'qty',
          bin: { ranges: [{ to: 3 }, { from: 3, to: 5, label: 'few' }, { from: 10, label: 'few' }] },
        },
      ],
    };
    expect(drillQuery(query, { price: 6, qty: 'few' }).filters).toEqual({
      and: [
        { field: 'price', operator: '>=', values: [6] },
        { field: 'price', operator: '<', values: [8.5] },
        {
          or: [
            {
              and: [
                { field: 'qty', operator: '>=', values: [3] },
                { field: 'qty', operator: '<', values: [5] },
              ],
            },
            { field: 'qty', operator: '>=', values: [10] },
          ],
        },
      ],
    });
    expect(drillQuery(query, { price: null, qty: '< 3' }).filters).toEqual({
      and: [
        { field: 'price', operator: 'null' },
        { field: 'qty', operator: '<', values: [3] },
      ],
    });
    expect(drillQuery(query, { price: 1, qty: null }).filters).toMatchObject({
      and: [
        {},
        {},
        {
          or: [
            { field: 'qty', operator: 'null' },
            {
              not: {
                or: [
                  { field: 'qty', operator: '<', values: [3] },
                  {
                    and: [
                      { field: 'qty', operator: '>=', values: [3] },
                      { field: 'qty', operator: '<', values: [5] },
                    ],
                  },
                  { field: 'qty', operator: '>=', values: [10] },
                ],
              },
            },
          ],
        },
      ],
    });
    expect(() => drillQuery(query, { price: 1, qty: 'many' })).toThrow(/"many" is not a range of qty/);
  });

  it('keeps the zone and week start, and reads the engine’s timestamps as the zone’s wall clock', () => {
    const query = {
      source: 's',
      dimensions: [{ field: 'at', granularity: 'hour' }, 'label'],
      timezone: 'Europe/Paris',
      weekStart: 7,
    };
    expect(drillQuery(query, { at_hour: '2024-10-27T02:00:00.000Z', label: 'XYZ' })).toMatchObject({
      filters: {
        and: [
          { field: 'at', operator: '>=', values: ['2024-10-27T02:00:00.000'] },
          { field: 'at', operator: '<', values: ['2024-10-27T03:00:00.000'] },
          { field: 'label', operator: '=', values: ['XYZ'] },
        ],
      },
      timezone: 'Europe/Paris',
      weekStart: 7,
    });
  });

  it('refuses a bucket value that is not a date', () => {
    expect(() => bucketEnd('soon', 'day')).toThrow(DrillError);
  });
});

describe('drill-through on a top N query', () => {
  const query = {
    source: 'sales',
    dimensions: ['country'],
    top: { dimension: 'country', others: true },
  };

  it('drills into a kept value like any value', () => {
    expect(drillQuery(query, { country: 'France' }).filters).toEqual({
      field: 'country',
      operator: '=',
      values: ['France'],
    });
  });

  it('refuses the Others row, which folds many values, rather than filter on the word', () => {
    expect(() => drillQuery(query, { country: 'Others' })).toThrow(DrillError);
    expect(() => drillQuery(query, { country: 'Others' })).toThrow(/drill into one of them/);
  });
});
