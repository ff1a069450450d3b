import { afterAll, describe, expect, it } from 'vitest';
import type { JsonScalar } from '../../engines/types.ts';
import type { Model } from './model.ts';
import {
  admin,
  duckdbRunner,
  mysqlRunner,
  postgresRunner,
  principal,
  type SqlRunner,
  serviceOver,
  shopModel,
} from './testkit.ts';

/**
 * Pivots through the query service on DuckDB, PostgreSQL and MariaDB: every cell of the cross-tab
 * is checked against the plain grouped query (by row and pivot dimensions), every row total
 * against the query by the row dimensions, and the totals against the queries without them.
 */
const runners: SqlRunner[] = await Promise.all([duckdbRunner(), postgresRunner(), mysqlRunner()]);
afterAll(async () => {
  await Promise.all(runners.map((runner) => runner.close()));
});

const metrics = [
  { field: 'quantity', aggregation: 'sum' },
  { field: 'price', aggregation: 'avg' },
  { field: 'customers.id', aggregation: 'count_distinct' },
];
const metricIds = ['sum_quantity', 'avg_price', 'count_distinct_id'];
const month = { field: 'date', granularity: 'month' };
const segmentB = principal({ attributes: { segment: ['B'] } });
const segmentPolicy: Model = { ...shopModel, policies: [{ field: 'segment', attribute: 'segment' }] };

const spreadId = (metric: string, values: JsonScalar[]) =>
  `${metric}|${values.map((v) => (v === null ? '∅' : String(v))).join('|')}`;
const key = (values: JsonScalar[]) => JSON.stringify(values);

describe.each(runners.filter((r) => r.available).map((r) => [r.dialect, r] as const))('%s', (_, runner) => {
  const service = serviceOver(runner, shopModel);

  /**
   * Checks a pivot answer against plain queries: the rows grouped by every dimension give the
   * cells (a cell without rows is NULL, 0 for a count), the rows grouped by the row dimensions the
   * row totals. `rowCount` dimensions come first in `dimensions`.
   */
  async function checkCells(
    body: Record<string, unknown>,
    rowCount: number,
    who = admin,
    on = service,
  ): Promise<void> {
    const answer = await on.run(who, body);
    const pivot = answer.pivot!;
    const plain = await on.run(who, { ...body, pivot: undefined, limit: undefined });
    const cells = new Map(plain.rows.map((row) => [key(row.slice(0, -metricIds.length)), row.slice(-3)]));
    const byRows = await on.run(who, {
      ...body,
      dimensions: (body.dimensions as unknown[]).slice(0, rowCount),
      pivot: undefined,
      filters: undefined,
    });
    const ids = (await on.compile(who, body)).columns.map((c) => c.id);
    expect(ids).toEqual([
      ...pivot.rows,
      ...pivot.values.flatMap((values) => metricIds.map((m) => spreadId(m, values))),
      ...metricIds,
    ]);
    for (const row of answer.rows) {
      const rowValues = row.slice(0, rowCount);
      pivot.values.forEach((values, v) => {
        const cell = cells.get(key([...rowValues, ...values])) ?? [null, null, 0];
        const at = rowCount + v * metricIds.length;
        expect(row.slice(at, at + metricIds.length), `${key(rowValues)} × ${key(values)}`).toEqual(cell);
      });
      if (!body.filters) {
        const total = byRows.rows.find((r) => key(r.slice(0, rowCount)) === key(rowValues));
        expect(row.slice(-metricIds.length)).toEqual(total?.slice(rowCount));
      }
    }
    // Every value combination of the data is a column, in order, NULL last.
    const combinations = [...new Set(plain.rows.map((row) => key(row.slice(rowCount, -metricIds.length))))];
    expect(pivot.values.map(key).sort()).toEqual(combinations.sort());
  }

  it('spreads month buckets into columns; cells and row totals match the plain queries', async () => {
    const body = {
      source: 'shop',
      dimensions: ['country', month],
      metrics,
      pivot: { columns: ['date_month'] },
    };
    const answer = await service.run(admin, body);
    expect(answer.pivot).toEqual({
      rows: ['country'],
      columns: ['date_month'],
      metrics: metricIds,
      values: [['2024-01-01'], ['2024-02-01'], ['2024-03-01'], ['2024-04-01']],
    });
    expect(answer.rows.map((row) => row[0])).toEqual(['DE', 'FR', 'US', null]);
    expect(answer.rows[1].slice(1, 4)).toEqual([5, 17.75, 2]); // FR in January: orders 1 and 2
    await checkCells(body, 1);
  });

  it('spreads NULL as its own column (∅), last; a pivot of every dimension is one row', async () => {
    const body = {
      source: 'shop',
      dimensions: ['segment', 'country'],
      metrics,
      pivot: { columns: ['country'] },
    };
    const answer = await service.run(admin, body);
    expect(answer.pivot?.values).toEqual([['DE'], ['FR'], ['US'], [null]]);
    await checkCells(body, 1);
    const all = { ...body, pivot: { columns: ['segment', 'country'] } };
    const one = await service.run(admin, all);
    expect(one.rows).toHaveLength(1);
    expect(one.pivot?.values).toEqual([
      ['A', 'DE'],
      ['A', 'FR'],
      ['A', 'US'],
      ['B', 'DE'],
      ['B', 'FR'],
      ['B', null],
    ]);
    await checkCells(all, 0);
  });

  it('pivots datetime buckets and numeric bins, whose values bind back as read', async () => {
    const hours = {
      source: 'shop',
      dimensions: ['segment', { field: 'created_at', granularity: 'hour' }],
      metrics,
      pivot: { columns: ['created_at_hour'] },
    };
    await checkCells(hours, 1);
    const bins = {
      source: 'shop',
      dimensions: ['country', { field: 'price', bin: { width: 25 } }],
      metrics,
      pivot: { columns: ['price'] },
    };
    expect((await service.run(admin, bins)).pivot?.values).toEqual([[0], [25], [100]]);
    await checkCells(bins, 1);
  });

  it('sorts the columns by a sort on the pivot dimension, the rows by the others', async () => {
    const answer = await service.run(admin, {
      source: 'shop',
      dimensions: ['segment', 'country'],
      metrics,
      sorts: [
        { field: 'country', descending: true },
        { field: 'sum_quantity', descending: true },
      ],
      pivot: { columns: ['country'] },
    });
    expect(answer.pivot?.values).toEqual([['US'], ['FR'], ['DE'], [null]]);
    expect(answer.rows.map((row) => [row[0], row.at(-3)])).toEqual([
      ['A', 19],
      ['B', 6],
    ]);
  });

  it('totals hold each spread column and each metric, over every row, whatever the limit', async () => {
    const body = {
      source: 'shop',
      dimensions: ['country', 'segment'],
      metrics,
      pivot: { columns: ['segment'] },
      totals: { subtotals: ['segment'] },
      limit: 1,
    };
    const answer = await service.run(admin, body);
    expect(answer).toMatchObject({ truncated: true });
    expect(answer.rows).toHaveLength(1);
    const bySegment = await service.run(admin, { source: 'shop', dimensions: ['segment'], metrics });
    const grand = await service.run(admin, { source: 'shop', metrics });
    const expected: Record<string, JsonScalar> = {};
    for (const [segment, ...values] of bySegment.rows)
      metricIds.forEach((m, i) => {
        expected[spreadId(m, [segment])] = values[i];
      });
    metricIds.forEach((m, i) => {
      expected[m] = grand.rows[0][i];
    });
    expect(answer.totals).toEqual(expected);
    // A subtotal by the pivot dimension: each segment's own column filled, the others empty.
    expect(
      answer.subtotals?.segment.map((row) => [row.segment, row['sum_quantity|A'], row.sum_quantity]),
    ).toEqual([
      ['A', 19, 19],
      ['B', null, 6],
    ]);
  });

  it('applies row policies to the values, the cells and the totals', async () => {
    const policed = serviceOver(runner, segmentPolicy);
    const body = {
      source: 'shop',
      dimensions: [month, 'country'],
      metrics,
      pivot: { columns: ['country'] },
      totals: true,
    };
    const answer = await policed.run(segmentB, body);
    expect(answer.pivot?.values).toEqual([['DE'], ['FR'], [null]]);
    expect(answer.totals).toMatchObject({ sum_quantity: 6, 'sum_quantity|FR': 3, 'count_distinct_id|∅': 1 });
    await checkCells(body, 1, segmentB, policed);
  });

  it('with a metric filter, cells and row totals cover the groups that pass', async () => {
    const body = {
      source: 'shop',
      dimensions: ['country', 'segment'],
      metrics,
      filters: { field: 'sum_quantity', operator: '>=', values: [2] },
      pivot: { columns: ['segment'] },
      totals: true,
    };
    const answer = await service.run(admin, body);
    // DE·A (1) and the NULL country's B (1) fail: DE keeps only B, the NULL country no row.
    expect(answer.rows.map((row) => [row[0], row[1], row[4], row.at(-3)])).toEqual([
      ['DE', null, 2, 2],
      ['FR', 9, 3, 12],
      ['US', 9, null, 9],
    ]);
    expect(answer.totals).toMatchObject({ sum_quantity: 23, 'sum_quantity|A': 18, 'sum_quantity|B': 5 });
    await checkCells(body, 1);
  });

  it('refuses more value combinations × metrics than the bound, saying how many', async () => {
    const body = {
      source: 'shop',
      dimensions: ['segment', 'country'],
      metrics,
      pivot: { columns: ['country'] },
    };
    await expect(
      service.run(admin, { ...body, pivot: { columns: ['country'], maxColumns: 10 } }),
    ).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
      field: 'pivot.columns',
      message:
        'pivot.columns: 4 value combinations × 3 metrics = 12 columns, more than 10 (pivot.maxColumns)',
    });
    const one = { ...body, metrics: [metrics[0]], pivot: { columns: ['country'], maxColumns: 4 } };
    expect((await service.run(admin, one)).pivot?.values).toHaveLength(4);
  });

  it('refuses what a cross-tab cannot express yet, naming the field', async () => {
    const body = {
      source: 'shop',
      dimensions: ['segment', 'country'],
      metrics,
      pivot: { columns: ['country'] },
    };
    const refused = (extra: Record<string, unknown>) => service.run(admin, { ...body, ...extra });
    await expect(refused({ pivot: { columns: ['date'] } })).rejects.toMatchObject({
      field: 'pivot.columns[0]',
      message: expect.stringContaining("(the query's dimensions: segment, country)"),
    });
    await expect(refused({ pivot: { columns: ['country', 'country'] } })).rejects.toMatchObject({
      field: 'pivot.columns[1]',
    });
    await expect(refused({ metrics: [] })).rejects.toMatchObject({ field: 'pivot' });
    await expect(
      refused({ post: [{ id: 'running', type: 'running_total', of: 'sum_quantity' }] }),
    ).rejects.toMatchObject({ field: 'pivot', message: 'pivot: a pivot with "post" is not supported yet' });
    await expect(refused({ top: { dimension: 'segment', by: 'sum_quantity', n: 1 } })).rejects.toMatchObject({
      field: 'pivot',
    });
  });

  it('compiles a pivot after reading its values, values bound', async () => {
    const compiled = await service.compile(admin, {
      source: 'shop',
      dimensions: ['segment', 'country'],
      metrics: [metrics[0]],
      pivot: { columns: ['segment'] },
    });
    expect(compiled.params).toEqual(['A', 'B']);
    expect(compiled.columns.map((c) => c.id)).toEqual([
      'country',
      'sum_quantity|A',
      'sum_quantity|B',
      'sum_quantity',
    ]);
    expect(compiled.columns[1]).toMatchObject({
      kind: 'metric',
      format: 'integer',
      pivot: { metric: 'sum_quantity', values: ['A'] },
    });
  });
});
