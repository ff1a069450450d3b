// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${TABLE}` is the placeholder syntax of developer SQL
import { describe, expect, it } from 'vitest';
import { RosettaError } from '../errors.ts';
import { parseQueryBody } from './parse.ts';

const fails = (body: Record<string, unknown>, field: string, message: RegExp): void => {
  try {
    parseQueryBody({ source: 'orders', metrics: [{ aggregation: 'count' }], ...body });
  } catch (error) {
    expect(error).toBeInstanceOf(RosettaError);
    expect((error as RosettaError).field).toBe(field);
    expect((error as RosettaError).message).toMatch(message);
    return;
  }
  throw new Error('expected a validation error');
};

describe('parseQueryBody: the v2 analytics', () => {
  it('parses every v2 field into the IR', () => {
    const { ir } = parseQueryBody({
      source: 'orders',
      timezone: 'Europe/Paris',
      weekStart: 7,
      dimensions: [
        { field: 'date', granularity: 'day_of_week' },
        { field: 'price', bin: { width: 10, offset: 5 } },
        { field: 'quantity', bin: { ranges: [{ to: 3 }, { from: 3, to: 10, label: 'mid' }, { from: 10 }] } },
      ],
      metrics: [
        { field: 'price', aggregation: 'percentile', percentile: 0.9 },
        {
          field: 'quantity',
          aggregation: 'sum',
          alias: 'fr_quantity',
          filters: { field: 'country', operator: '=', values: ['FR'] },
        },
        { metric: 'revenue', filters: { not: { field: 'paid', operator: '=', values: [true] } } },
        { name: 'avg_ticket', sql: 'SUM(${TABLE}.price) / COUNT(*)' },
      ],
      filters: { field: 'country', operator: 'in', values: ['FR', { attribute: 'region' }] },
      post: [
        { id: 'running', type: 'running_total', of: 'sum_quantity', partitionBy: ['country'] },
        { id: 'position', type: 'rank', of: 'fr_quantity', ascending: true },
        { id: 'change', type: 'percent_change', of: 'fr_quantity' },
        { id: 'twice', type: 'formula', formula: 'running * 2' },
      ],
      postFilters: { field: 'position', operator: '<=', values: [3] },
      top: { dimension: 'country', by: 'fr_quantity', n: 5, others: true },
      totals: { subtotals: ['country'] },
      pivot: { columns: ['date_day_of_week'] },
    });
    expect(ir.timezone).toBe('Europe/Paris');
    expect(ir.weekStart).toBe(7);
    expect(ir.dimensions[1]).toEqual({ field: 'price', bin: { width: 10, offset: 5 } });
    expect(ir.dimensions[2].bin).toEqual({
      ranges: [{ to: 3 }, { from: 3, to: 10, label: 'mid' }, { from: 10 }],
    });
    expect(ir.metrics[0]).toEqual({
      kind: 'aggregate',
      aggregation: 'percentile',
      field: 'price',
      percentile: 0.9,
    });
    expect(ir.metrics[1]).toMatchObject({ alias: 'fr_quantity', filters: { field: 'country' } });
    expect(ir.metrics[2]).toMatchObject({ kind: 'model', filters: { not: { field: 'paid' } } });
    expect(ir.metrics[3]).toEqual({ kind: 'sql', name: 'avg_ticket', sql: 'SUM(${TABLE}.price) / COUNT(*)' });
    expect(ir.filters).toEqual({ field: 'country', operator: 'in', values: ['FR'], attribute: 'region' });
    expect(ir.post).toHaveLength(4);
    expect(ir.top).toEqual({ dimension: 'country', by: 'fr_quantity', n: 5, others: true });
    expect(ir.totals).toEqual({ subtotals: ['country'] });
    expect(ir.pivot).toEqual({ columns: ['date_day_of_week'] });
  });

  it('keeps absent options absent, so existing bodies compile as before', () => {
    const { ir } = parseQueryBody({ source: 'orders', dimensions: ['country'], totals: false });
    expect(Object.keys(ir).sort()).toEqual([
      'aggregate',
      'dimensions',
      'filters',
      'limit',
      'metrics',
      'offset',
      'sorts',
    ]);
    expect(
      parseQueryBody({ source: 'o', metrics: [{ aggregation: 'count' }], totals: true }).ir.totals,
    ).toEqual({});
  });

  it('names the path and the problem of each bad v2 input', () => {
    fails({ timezone: 'Mars/Olympus' }, 'timezone', /unknown time zone "Mars\/Olympus"/);
    fails({ weekStart: 0 }, 'weekStart', /integer between 1 and 7, got number 0/);
    fails(
      { metrics: [{ field: 'price', aggregation: 'percentile' }] },
      'metrics[0].percentile',
      /from 0 to 1/,
    );
    fails(
      { metrics: [{ field: 'price', aggregation: 'sum', percentile: 0.5 }] },
      'metrics[0].percentile',
      /only with/,
    );
    fails({ metrics: [{ name: 'x', formula: 'a', sql: 'b' }] }, 'metrics[0]', /either "formula" or "sql"/);
    fails({ dimensions: [{ field: 'price', bin: { width: 0 } }] }, 'dimensions[0].bin.width', /above 0/);
    fails(
      { dimensions: [{ field: 'price', bin: { ranges: [{ from: 5, to: 1 }] } }] },
      'dimensions[0].bin.ranges[0].to',
      /above "from"/,
    );
    fails(
      { dimensions: [{ field: 'date', granularity: 'month', bin: { width: 1 } }] },
      'dimensions[0].bin',
      /granularity or a bin/,
    );
    fails(
      { post: [{ id: 'r', type: 'median', of: 'x' }] },
      'post[0].type',
      /must be one of .*, got the string "median"/,
    );
    fails({ post: [{ id: 'r', type: 'formula', of: 'x', formula: 'a' }] }, 'post[0].of', /does not apply/);
    fails(
      { post: [{ id: 'r', type: 'running_total', of: 'x', ascending: true }] },
      'post[0].ascending',
      /only for "rank"/,
    );
    fails({ top: { dimension: 'country', by: 'count', n: 0 } }, 'top.n', /between 1 and/);
    fails({ totals: { grand: true } }, 'totals.grand', /is not a known property/);
    fails({ pivot: { columns: [] } }, 'pivot.columns', /at least one/);
    fails({ pivot: { columns: ['c'], maxColumns: 501 } }, 'pivot.maxColumns', /between 1 and 500/);
    fails(
      { filters: { field: 'c', operator: '=', values: [{ attribute: 'a' }, { attribute: 'b' }] } },
      'filters.values',
      /at most one/,
    );
    fails({ filters: { not: { field: 'c', operator: '=' }, or: [] } }, 'filters', /either/);
  });
});
