import { describe, expect, it } from 'vitest';
import type { QueryIr } from './ir.ts';
import { parseQueryBody } from './parse.ts';
import { savedQueryOf } from './saved-query.ts';

describe('savedQueryOf', () => {
  it('stores an IR as a body that parses back to the same IR', () => {
    const ir: QueryIr = {
      calculations: [{ name: 'margin', formula: 'price - cost' }],
      dimensions: [
        { field: 'sales.date', granularity: 'month', alias: 'sales_date_month' },
        { field: 'sales.x', bin: { width: 10 } },
      ],
      metrics: [
        {
          kind: 'aggregate',
          aggregation: 'sum',
          field: 'sales.qty',
          alias: 'q',
          filters: { field: 'sales.country', operator: '=', values: ['FR'] },
        },
        { kind: 'aggregate', aggregation: 'percentile', field: 'sales.qty', percentile: 0.9 },
        { kind: 'model', metric: 'revenue', alias: 'r' },
        { kind: 'formula', name: 'ratio', formula: 'q / r' },
        { kind: 'sql', name: 'raw', sql: 'SUM(qty)', type: 'number' },
      ],
      filters: {
        and: [
          { field: 'sales.region', operator: '=', values: ['north'], attribute: 'region' },
          { not: { or: [{ field: 'sales.qty', operator: '>', values: [3] }] } },
        ],
      },
      metricFilters: { field: 'q', operator: '>', values: [1] },
      post: [{ id: 'rt', type: 'running_total', of: 'q' }],
      top: { dimension: 'sales_date_month', by: 'q', n: 5, others: true },
      totals: { subtotals: ['sales_date_month'] },
      timezone: 'Europe/Paris',
      sorts: [{ field: 'q', descending: true }],
      limit: 100,
      offset: 0,
      aggregate: true,
    };
    const parsed = parseQueryBody(savedQueryOf('sales', ir));
    expect(parsed.source).toBe('sales');
    expect(parsed.ir).toEqual(ir);
  });
});
