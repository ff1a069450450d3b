/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { describe, expect, it } from 'vitest';
import { ApiError } from '../web/src/api.ts';
import {
  fieldErrors,
  metricColumns,
  postColumns,
  type QueryDraft,
  queryOf,
} from '../web/src/components/query-draft.ts';
import { followRenames } from '../web/src/components/query-renames.ts';
import { draftOf } from '../web/src/components/saved-query-draft.ts';
import type { Query } from '../web/src/types.ts';

/** The query builder's draft ⇄ native body (Explore, the widget editor): saved bodies survive the editor. */
const types: Record<string, string> = {
  date: 'datetime',
  country: 'string',
  category: 'string',
  quantity: 'integer',
  price: 'number',
};
const typeOf = (field: string) => types[field];
const roundTrip = (body: Query) => queryOf(draftOf(body), body.source, typeOf).query;

const everything: Query = {
  source: 'demo',
  calculations: [{ name: 'revenue', formula: 'price * quantity' }],
  dimensions: [
    { field: 'date', granularity: 'quarter' },
    'country',
    { field: 'price', bin: { ranges: [{ to: 50, label: 'cheap' }, { from: 50, to: 200 }, { from: 200 }] } },
    { field: 'quantity', bin: { width: 5, offset: 1 }, alias: 'quantity_band' },
    { field: 'date', granularity: 'day_of_week' },
  ],
  metrics: [
    { field: 'quantity', aggregation: 'sum' },
    { field: 'price', aggregation: 'percentile', percentile: 0.9, alias: 'p90_price' },
    { field: 'price', aggregation: 'median' },
    { field: 'revenue', aggregation: 'stddev' },
    {
      field: 'quantity',
      aggregation: 'sum',
      alias: 'fr_quantity',
      filters: { and: [{ field: 'country', operator: '=', values: ['France', 'Spain'] }] },
    },
    { name: 'share_fr', formula: 'fr_quantity / sum_quantity' },
  ],
  filters: {
    and: [
      { field: 'category', operator: '!=', values: ['Furniture'] },
      { field: 'sum_quantity', operator: '>', values: [10] },
      {
        or: [
          { field: 'country', operator: 'null', values: [] },
          { not: { field: 'price', operator: '<', values: [1] } },
        ],
      },
      { field: 'date', operator: 'relative', values: ['last', 2, 'year'] },
    ],
  },
  postFilters: { and: [{ field: 'rank_sum_quantity', operator: '<=', values: [50] }] },
  post: [
    { id: 'running_total_sum_quantity', type: 'running_total', of: 'sum_quantity', partitionBy: ['country'] },
    { id: 'share', type: 'percent_of_total', of: 'fr_quantity' },
    { id: 'rank_sum_quantity', type: 'rank', of: 'sum_quantity', ascending: true },
    { id: 'percent_change_sum_quantity', type: 'percent_change', of: 'sum_quantity' },
    { id: 'double', type: 'formula', formula: 'sum_quantity * 2' },
  ],
  top: { dimension: 'country', by: 'sum_quantity', n: 5, others: true },
  totals: { subtotals: ['country'] },
  timezone: 'Europe/Paris',
  weekStart: 7,
  sorts: [
    { field: 'date_quarter', descending: false },
    { field: 'share', descending: true },
  ],
  limit: 200,
  variables: { region: 'EU' },
  offset: 10,
};

describe('the query builder draft', () => {
  it('gives back a body with every new option as it was saved', () => {
    expect(roundTrip(everything)).toEqual(everything);
    const pivot: Query = {
      source: 'demo',
      dimensions: ['country', 'category'],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
      totals: true,
      pivot: { columns: ['category'], maxColumns: 50 },
      limit: 500,
    };
    expect(roundTrip(pivot)).toEqual(pivot);
  });

  it('keeps bodies saved before the new options unchanged', () => {
    const before: Query = {
      source: 'demo',
      calculations: [{ name: 'line_revenue', formula: 'price * quantity' }],
      dimensions: [{ field: 'date', granularity: 'month' }, 'category'],
      metrics: [{ field: 'line_revenue', aggregation: 'sum', alias: 'revenue' }, { metric: 'margin' }],
      filters: {
        and: [
          { field: 'country', operator: 'in', values: [{ variable: 'country' }] },
          { field: 'category', operator: 'not empty', values: [] },
        ],
      },
      sorts: [{ field: 'date_month', descending: false }],
      limit: 500,
    };
    expect(roundTrip(before)).toEqual(before);
  });

  it('names a percentile by its p, and keeps the server’s name of one saved without a name', () => {
    const draft = draftOf({
      source: 'demo',
      metrics: [{ field: 'price', aggregation: 'percentile', percentile: 0.5 }],
    });
    expect(metricColumns(draft)).toEqual(['percentile_price']);
    expect(
      roundTrip({
        source: 'demo',
        metrics: [{ field: 'price', aggregation: 'percentile', percentile: 0.5 }],
      }),
    ).toMatchObject({
      metrics: [{ field: 'price', aggregation: 'percentile', percentile: 0.5, alias: 'percentile_price' }],
    });
    const fresh: QueryDraft = {
      ...draft,
      metrics: [{ ...draft.metrics[0], alias: undefined, percentile: '99.5' }],
    };
    expect(queryOf(fresh, 'demo', typeOf).query.metrics).toEqual([
      { field: 'price', aggregation: 'percentile', percentile: 0.995, alias: 'p99_5_price' },
    ]);
  });

  it('moves the references to a column it renames: sorts, calculations, top N, totals, pivot, filters on metrics', () => {
    const draft = draftOf({
      source: 'demo',
      dimensions: [{ field: 'date', granularity: 'month' }, 'country'],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
      filters: {
        and: [
          { field: 'sum_quantity', operator: '>', values: [1] },
          { field: 'date', operator: 'null', values: [] },
        ],
      },
      post: [
        {
          id: 'running_total_sum_quantity',
          type: 'running_total',
          of: 'sum_quantity',
          partitionBy: ['date_month'],
        },
      ],
      top: { dimension: 'country', by: 'sum_quantity', n: 3 },
      totals: { subtotals: ['date_month'] },
      pivot: { columns: ['date_month'] },
      sorts: [{ field: 'date_month' }, { field: 'running_total_sum_quantity', descending: true }],
    });
    const changed = {
      ...draft,
      dimensions: [{ ...draft.dimensions[0], granularity: 'quarter' }, draft.dimensions[1]],
      metrics: [{ ...draft.metrics[0], aggregation: 'avg' }],
    };
    const query = queryOf(followRenames(draft, changed), 'demo', typeOf).query;
    expect(query.post).toEqual([
      {
        id: 'running_total_avg_quantity',
        type: 'running_total',
        of: 'avg_quantity',
        partitionBy: ['date_quarter'],
      },
    ]);
    expect(query.sorts).toEqual([
      { field: 'date_quarter', descending: false },
      { field: 'running_total_avg_quantity', descending: true },
    ]);
    expect(query.top).toEqual({ dimension: 'country', by: 'avg_quantity', n: 3 });
    expect(query.totals).toEqual({ subtotals: ['date_quarter'] });
    expect(query.pivot).toEqual({ columns: ['date_quarter'] });
    // The rule on the date field names the field, not the column: it stays.
    expect(query.filters).toEqual({
      and: [
        { field: 'avg_quantity', operator: '>', values: [1] },
        { field: 'date', operator: 'null', values: [] },
      ],
    });
  });

  it('sends a rule on a calculation after the calculations, and one on a metric before', () => {
    const draft = draftOf({
      source: 'demo',
      dimensions: ['country'],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
      post: [{ id: 'rank_sum_quantity', type: 'rank', of: 'sum_quantity' }],
    });
    expect(postColumns(draft)).toEqual(['rank_sum_quantity']);
    const withRules: QueryDraft = {
      ...draft,
      filters: [
        { key: 1, field: 'sum_quantity', operator: '>=', value: '100', variable: '' },
        { key: 2, field: 'rank_sum_quantity', operator: '<=', value: '3', variable: '', after: true },
      ],
    };
    const { query } = queryOf(withRules, 'demo', typeOf);
    expect(query.filters).toEqual({ and: [{ field: 'sum_quantity', operator: '>=', values: [100] }] });
    expect(query.postFilters).toEqual({ and: [{ field: 'rank_sum_quantity', operator: '<=', values: [3] }] });
  });

  it('places the server’s 400 on the row or section it names', () => {
    const draft = draftOf(everything);
    const { sent } = queryOf(draft, 'demo', typeOf);
    const at = (field: string) =>
      fieldErrors(new ApiError(400, 'ERR_VALIDATION', `${field}: wrong`, field), sent);
    expect(at('post[1].of')).toEqual(new Map([[draft.post[1].key, 'wrong']]));
    expect(at('metrics[5].formula')).toEqual(new Map([[draft.formulas[0].key, 'wrong']]));
    expect(at('metrics[4].filters.and[0].field')).toEqual(new Map([[draft.metrics[4].key, 'wrong']]));
    expect(at('dimensions[2].bin.ranges[1].to')).toEqual(new Map([[draft.dimensions[2].key, 'wrong']]));
    expect(at('postFilters.and[0].field')).toEqual(new Map([[draft.filters[2].key, 'wrong']]));
    expect(at('top.n')).toEqual(new Map([['top', 'wrong']]));
    expect(at('pivot.columns')).toEqual(new Map([['pivot', 'wrong']]));
  });
});
