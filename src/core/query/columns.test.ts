import { describe, expect, it } from 'vitest';
import { compileQuery } from './compile.ts';
import type { Model } from './model.ts';
import { parseQueryBody } from './parse.ts';
import { admin, pinnedNow, shopModel } from './testkit.ts';

/** Column metadata as compiled (columns.ts): no engine needed, the types come from the engine. */
const labelled: Model = {
  ...shopModel,
  dimensions: shopModel.dimensions.map((d) =>
    d.table === 'orders' && d.name === 'country' ? { ...d, label: 'Country of delivery' } : d,
  ),
  metrics: shopModel.metrics.map((m) => (m.name === 'revenue' ? { ...m, label: 'Revenue (€)' } : m)),
};

const columnsOf = (query: Record<string, unknown>) =>
  compileQuery(labelled, parseQueryBody({ source: 'shop', ...query }).ir, {
    dialect: 'duckdb',
    principal: admin,
    maxRows: 100,
    now: pinnedNow,
  }).columns;

describe('column metadata', () => {
  it('gives each column its id, kind and the model label, aliases included', () => {
    expect(
      columnsOf({
        dimensions: [{ field: 'country', alias: 'where' }, 'segment'],
        metrics: [
          { metric: 'revenue' },
          { metric: 'revenue', alias: 'again' },
          { name: 'm', formula: 'revenue * 2' },
        ],
      }),
    ).toEqual([
      { id: 'where', kind: 'dimension', label: 'Country of delivery' },
      { id: 'segment', kind: 'dimension' },
      { id: 'revenue', kind: 'metric', label: 'Revenue (€)' },
      { id: 'again', kind: 'metric', label: 'Revenue (€)' },
      { id: 'm', kind: 'metric' },
    ]);
  });

  it('hints formats: dates and buckets, date parts and counts as integers, none for averages', () => {
    const formats = columnsOf({
      dimensions: [
        'date',
        'created_at',
        { field: 'created_at', granularity: 'hour' },
        { field: 'date', granularity: 'month' },
        { field: 'date', granularity: 'month_of_year' },
        'quantity',
        'price',
      ],
      metrics: [
        { aggregation: 'count' },
        { field: 'country', aggregation: 'count_distinct' },
        { field: 'quantity', aggregation: 'sum' },
        { field: 'price', aggregation: 'sum' },
        { field: 'date', aggregation: 'max' },
        { field: 'quantity', aggregation: 'avg' },
        { metric: 'orders_count' },
      ],
    }).map((c) => [c.id, c.format]);
    expect(formats).toEqual([
      ['date', 'date'],
      ['created_at', 'datetime'],
      ['created_at_hour', 'datetime'],
      ['date_month', 'date'],
      ['date_month_of_year', 'integer'],
      ['quantity', 'integer'],
      ['price', undefined],
      ['count', 'integer'],
      ['count_distinct_country', 'integer'],
      ['sum_quantity', 'integer'],
      ['sum_price', undefined],
      ['max_date', 'date'],
      ['avg_quantity', undefined],
      ['orders_count', 'integer'],
    ]);
  });
});
