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
      refused({ postFilters: { field: 'sum_quantity', operator: '>', values: [1] } }),
    ).rejects.toMatchObject({
      field: 'pivot',
      message: 'pivot: a pivot with "postFilters" is not supported yet',
    });
    await expect(refused({ top: { dimension: 'segment', by: 'sum_quantity', n: 1 } })).rejects.toMatchObject({
      field: 'pivot',
    });
  });

  describe('post calculations, per spread column', () => {
    const post = [
      { id: 'running', type: 'running_total', of: 'sum_quantity' },
      { id: 'share', type: 'percent_of_total', of: 'sum_quantity' },
      { id: 'rank', type: 'rank', of: 'sum_quantity' },
      { id: 'change', type: 'difference', of: 'sum_quantity' },
      { id: 'before', type: 'formula', formula: 'running - sum_quantity' },
    ];
    const postIds = post.map((p) => p.id);
    const perValue = ['sum_quantity', ...postIds];
    const body = {
      source: 'shop',
      dimensions: [month, 'country'],
      metrics: [metrics[0]],
      post,
      pivot: { columns: ['country'] },
    };
    const previousMonth = (value: JsonScalar): string => {
      const date = new Date(`${value}T00:00:00Z`);
      date.setUTCMonth(date.getUTCMonth() - 1);
      return date.toISOString().slice(0, 10);
    };

    /**
     * The calculations of one column computed here from its values down the rows (months, in
     * order); `at(month)` is the column's value for any month (a month without a row included).
     */
    function expectedPost(months: JsonScalar[], at: (month: string) => JsonScalar | undefined) {
      const values = months.map((m) => (at(String(m)) ?? null) as number | null);
      const present = values.filter((v): v is number => v !== null);
      const sum = present.reduce((a, b) => a + b, 0);
      let running: number | null = null;
      return values.map((value, r) => {
        if (value !== null) running = (running ?? 0) + value;
        const previous = at(previousMonth(months[r])) ?? null;
        return {
          running,
          share: value === null ? null : value / sum,
          // Ties share a rank; an empty cell's rank depends on where the engine puts NULLs.
          rank: value === null ? undefined : 1 + present.filter((v) => v > value).length,
          change: value === null || previous === null ? null : value - (previous as number),
          before: value === null || running === null ? null : running - value,
        };
      });
    }

    /** Every post cell of the answer against the calculations over the plain grouped queries. */
    async function checkPost(answer: Awaited<ReturnType<typeof service.run>>, who = admin, on = service) {
      const plain = await on.run(who, { ...body, post: undefined, pivot: undefined });
      const cells = new Map(plain.rows.map(([m, country, value]) => [key([m, country]), value]));
      const byMonth = await on.run(who, { ...body, dimensions: [month], post: undefined, pivot: undefined });
      const totals = new Map(byMonth.rows.map(([m, value]) => [String(m), value]));
      const months = byMonth.rows.map(([m]) => m);
      const pivot = answer.pivot!;
      expect(pivot.metrics).toEqual(perValue);
      const ids = (await on.compile(who, body)).columns.map((c) => c.id);
      expect(ids).toEqual([
        'date_month',
        ...pivot.values.flatMap((values) => perValue.map((id) => spreadId(id, values))),
        ...perValue,
      ]);
      const columnsOf = [
        ...pivot.values.map((values) => ({
          ids: perValue.map((id) => spreadId(id, values)),
          expected: expectedPost(months, (m) => cells.get(key([m, ...values]))),
        })),
        { ids: perValue, expected: expectedPost(months, (m) => totals.get(m)) },
      ];
      expect(answer.rows.map((row) => row[0])).toEqual(months.slice(0, answer.rows.length));
      answer.rows.forEach((row, r) => {
        for (const { ids: columnIds, expected } of columnsOf) {
          const cell = (id: string) => row[ids.indexOf(columnIds[perValue.indexOf(id)])];
          const where = `${row[0]} ${columnIds[0]}`;
          expect(cell('running'), where).toEqual(expected[r].running);
          expect(cell('change'), where).toEqual(expected[r].change);
          expect(cell('before'), where).toEqual(expected[r].before);
          if (expected[r].share === null) expect(cell('share'), where).toBeNull();
          else expect(cell('share') as number, where).toBeCloseTo(expected[r].share!, 12);
          if (expected[r].rank !== undefined) expect(cell('rank'), where).toEqual(expected[r].rank);
        }
      });
    }

    it('computes each calculation per value column down the rows, and over the row totals', async () => {
      const answer = await service.run(admin, body);
      expect(answer.pivot?.values).toEqual([['DE'], ['FR'], ['US'], [null]]);
      // FR (the second value's columns): 5 in January, none in February or March, 7 in April.
      const fr = (id: string) => answer.rows.map((row) => row[1 + perValue.length + perValue.indexOf(id)]);
      expect(fr('running')).toEqual([5, 5, 5, 12]);
      expect(fr('change')).toEqual([null, null, null, null]);
      await checkPost(answer);
      const compiled = await service.compile(admin, body);
      expect(compiled.columns.find((c) => c.id === 'share|FR')).toEqual({
        id: 'share|FR',
        kind: 'calculation',
        format: 'percent',
        pivot: { metric: 'share', values: ['FR'] },
      });
      expect(compiled.columns.find((c) => c.id === 'running')).toMatchObject({ kind: 'calculation' });
      // One stage per calculation, whatever the number of columns (chained CTEs per column
      // overflow MariaDB's WITH and slow PostgreSQL's planner down to minutes).
      expect(compiled.sql.match(/__post\d+["`] AS \(/g)).toHaveLength(post.length);
    });

    it('applies row policies to every column the calculations read', async () => {
      const policed = serviceOver(runner, segmentPolicy);
      const answer = await policed.run(segmentB, body);
      expect(answer.pivot?.values).toEqual([['DE'], ['FR'], [null]]);
      await checkPost(answer, segmentB, policed);
    });

    it('computes over every row, whatever the limit; totals hold the metrics only', async () => {
      const full = await service.run(admin, body);
      const cut = await service.run(admin, { ...body, limit: 2, totals: true });
      expect(cut).toMatchObject({ truncated: true });
      expect(cut.rows).toEqual(full.rows.slice(0, 2));
      await checkPost(cut);
      const grand = await service.run(admin, { source: 'shop', metrics: [metrics[0]] });
      expect(cut.totals?.sum_quantity).toEqual(grand.rows[0][0]);
      expect(Object.keys(cut.totals ?? {}).filter((id) => id.split('|')[0] !== 'sum_quantity')).toEqual([]);
    });

    it('sorts rows by a row-total calculation', async () => {
      const answer = await service.run(admin, { ...body, sorts: [{ field: 'share', descending: true }] });
      const shares = answer.rows.map((row) => row.at(-perValue.length + perValue.indexOf('share')) as number);
      expect(shares).toEqual([...shares].sort((a, b) => b - a));
      expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    });

    it('refuses what would need a pivot dimension as a row, naming the field', async () => {
      const refused = (extra: Record<string, unknown>) => service.run(admin, { ...body, ...extra });
      await expect(
        refused({
          post: [{ id: 'share', type: 'percent_of_total', of: 'sum_quantity', partitionBy: ['country'] }],
        }),
      ).rejects.toMatchObject({ code: 'ERR_VALIDATION', field: 'post[0].partitionBy[0]' });
      await expect(
        refused({
          dimensions: ['quantity', 'country'],
          post: [{ id: 'per', type: 'formula', formula: 'sum_quantity / quantity' }],
        }),
      ).rejects.toMatchObject({
        field: 'post[0].formula',
        message: expect.stringContaining('"quantity" is a dimension'),
      });
      await expect(
        refused({
          pivot: { columns: ['date_month'] },
          post: [{ id: 'c', type: 'difference', of: 'sum_quantity' }],
        }),
      ).rejects.toMatchObject({ field: 'post[0].type', message: expect.stringContaining('"date_month"') });
      await expect(refused({ pivot: { columns: ['country'], maxColumns: 20 } })).rejects.toMatchObject({
        field: 'pivot.columns',
        message:
          'pivot.columns: 4 value combinations × 1 metric and 5 post calculations = 24 columns, more than 20 (pivot.maxColumns)',
      });
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
