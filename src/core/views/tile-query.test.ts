import { describe, expect, it } from 'vitest';
import type { DashboardFilter } from '../content/index.ts';
import { shopModel } from '../query/testkit.ts';
import { tileQuery } from './tile-query.ts';

const filter = (overrides: Partial<DashboardFilter> = {}): DashboardFilter => ({
  id: 'f',
  field: 'orders.country',
  label: 'Country',
  type: 'values',
  ...overrides,
});
const inFrance = { field: 'orders.country', operator: 'in' as const, values: ['France'] };
const chart = {
  source: 'shop',
  dimensions: [{ field: 'orders.country', alias: 'country' }],
  metrics: [{ metric: 'orders.revenue', alias: 'revenue' }],
  sorts: [{ field: 'country', descending: false }],
};

describe('tileQuery', () => {
  it("and-s a filter to the chart's own filters on other fields", () => {
    const own = { field: 'orders.paid', operator: '=', values: [true] };
    const { query, applied } = tileQuery(
      { ...chart, filters: own },
      [{ filter: filter(), rules: [inFrance] }],
      'w',
      shopModel,
    );
    expect(query.filters).toEqual({ and: [own, inFrance] });
    expect(applied).toEqual(['f']);
  });

  it("takes the place of the chart's own rule on the same field, wherever it sits", () => {
    const own = {
      or: [
        { field: 'orders.country', operator: '=', values: ['Spain'] },
        { field: 'orders.paid', operator: '=', values: [true] },
      ],
    };
    const { query } = tileQuery(
      { ...chart, filters: own },
      [{ filter: filter(), rules: [inFrance] }],
      'w',
      shopModel,
    );
    expect(query.filters).toEqual({
      or: [inFrance, { field: 'orders.paid', operator: '=', values: [true] }],
    });
  });

  it('follows tile targets: another field for the tile, or none; a field the data lacks does not apply', () => {
    const onSegment = filter({ tileTargets: { w: 'customers.segment' } });
    const retargeted = tileQuery(chart, [{ filter: onSegment, rules: [inFrance] }], 'w', shopModel);
    expect(retargeted.query.filters).toEqual({ ...inFrance, field: 'customers.segment' });
    const off = tileQuery(
      chart,
      [{ filter: filter({ tileTargets: { w: false } }), rules: [inFrance] }],
      'w',
      shopModel,
    );
    expect(off).toEqual({ query: chart, applied: [] });
    const elsewhere = tileQuery(
      chart,
      [{ filter: filter({ field: 'nowhere.field' }), rules: [inFrance] }],
      'w',
      shopModel,
    );
    expect(elsewhere.applied).toEqual([]);
    expect(elsewhere.query.filters).toBeUndefined();
  });

  it("narrows the chart's metrics and calculations it has, by their names, not those it lacks", () => {
    const withPost = { ...chart, post: [{ id: 'double', type: 'formula', formula: 'revenue * 2' }] };
    const over = (field: string) => ({ field, operator: '>' as const, values: [10] });
    const { query, applied } = tileQuery(
      { ...withPost, metricFilters: over('revenue') },
      [
        { filter: filter({ id: 'm', field: 'revenue' }), rules: [over('revenue')], stage: 'metrics' },
        { filter: filter({ id: 'c', field: 'double' }), rules: [over('double')], stage: 'calculations' },
        { filter: filter({ id: 'x', field: 'cost' }), rules: [over('cost')], stage: 'metrics' },
      ],
      'w',
      shopModel,
    );
    expect(query.metricFilters).toEqual(over('revenue'));
    expect(query.postFilters).toEqual(over('double'));
    expect(query.filters).toBeUndefined();
    expect(applied).toEqual(['m', 'c']);
  });

  it("replaces the chart's sorts only when sorts are given", () => {
    expect(tileQuery(chart, [], 'w', shopModel).query.sorts).toEqual(chart.sorts);
    const sorts = [{ field: 'revenue', descending: true }];
    expect(tileQuery(chart, [], 'w', shopModel, { sorts }).query.sorts).toEqual(sorts);
  });

  it('zooms the first date dimension to the given period', () => {
    const byDay = { ...chart, dimensions: ['orders.country', { field: 'orders.date', granularity: 'day' }] };
    expect(tileQuery(byDay, [], 'w', shopModel, { dateZoom: 'month' }).query.dimensions).toEqual([
      'orders.country',
      { field: 'orders.date', granularity: 'month' },
    ]);
    expect(tileQuery(chart, [], 'w', shopModel, { dateZoom: 'month' }).query.dimensions).toEqual(
      chart.dimensions,
    );
  });
});
