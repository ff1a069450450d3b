import { afterAll, describe, expect, it } from 'vitest';
import { compileQuery } from './compile.ts';
import { parseQueryBody } from './parse.ts';
import { admin, clickhouseRunner, orderRows, pinnedNow, shopModel } from './testkit.ts';

/**
 * What ClickHouse 18.16 cannot compute is refused with a 400 naming it; what it computes is checked against values computed here from the fixture rows
 * (execute.test.ts runs the shared cases on it too).
 */
const body = (query: Record<string, unknown>) => parseQueryBody({ source: 'shop', ...query }).ir;
const compile = (query: Record<string, unknown>) =>
  compileQuery(shopModel, body(query), {
    dialect: 'clickhouse',
    principal: admin,
    maxRows: 100,
    now: pinnedNow,
  });

const refusal = (field: string, feature: string) =>
  expect.objectContaining({
    code: 'ERR_VALIDATION',
    field,
    message: expect.stringContaining(`${feature} is not supported on ClickHouse`),
  });

describe('ClickHouse refusals', () => {
  it('refuses what compiles to CTEs (18.16 has none): post calculations, post filters and top N', () => {
    const grouped = { dimensions: ['country'], metrics: [{ field: 'quantity', aggregation: 'sum' }] };
    for (const type of ['running_total', 'rank', 'percent_of_total']) {
      expect(() => compile({ ...grouped, post: [{ id: 'calc', type, of: 'sum_quantity' }] })).toThrow(
        refusal('post', 'post calculations'),
      );
    }
    expect(() =>
      compile({ ...grouped, post: [{ id: 'double', type: 'formula', formula: 'sum_quantity * 2' }] }),
    ).toThrow(refusal('post', 'post calculations'));
    expect(() => compile({ ...grouped, top: { dimension: 'country', by: 'sum_quantity', n: 2 } })).toThrow(
      refusal('top', 'top N'),
    );
    expect(() =>
      compile({ ...grouped, postFilters: { field: 'sum_quantity', operator: '>', values: [2] } }),
    ).toThrow(refusal('postFilters', 'post filters'));
  });
});

const runner = await clickhouseRunner();
afterAll(async () => {
  await runner.close();
});

/** percentile_cont: linear interpolation between the closest ranks of the sorted values. */
function percentileCont(values: number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * fraction;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

/** Sample standard deviation and variance, the textbook way. */
function sampleStats(values: number[]): [number, number] {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1);
  return [Math.sqrt(variance), variance];
}

describe.skipIf(!runner.available)('ClickHouse numbers', () => {
  it('computes stddev, variance, count distinct and avg per group as the fixture rows say', async () => {
    const query = compile({
      dimensions: ['country'],
      metrics: [
        { field: 'price', aggregation: 'stddev' },
        { field: 'price', aggregation: 'variance' },
        { field: 'quantity', aggregation: 'count_distinct' },
        { field: 'quantity', aggregation: 'avg' },
      ],
      filters: { field: 'country', operator: 'not null', values: [] },
    });
    const byCountry = new Map<string, (typeof orderRows)[number][]>();
    for (const row of orderRows) {
      const country = row[1] as string | null;
      if (country !== null) byCountry.set(country, [...(byCountry.get(country) ?? []), row]);
    }
    const expected = [...byCountry.keys()].sort().map((country) => {
      const rows = byCountry.get(country)!;
      const [stddev, variance] = sampleStats(rows.map((row) => row[5] as number));
      const quantities = new Set(rows.map((row) => row[4])).size;
      const quantity = rows.reduce((sum, row) => sum + (row[4] as number), 0) / rows.length;
      return [country, stddev, variance, quantities, quantity].map((cell) =>
        typeof cell === 'number' ? expect.closeTo(cell, 9) : cell,
      );
    });
    expect((await runner.run(query)).slice(0, query.rowCap)).toEqual(expected);
  });

  it('interpolates medians and percentiles as percentile_cont does, over odd and even groups', async () => {
    const query = compile({
      dimensions: ['country'],
      metrics: [
        { field: 'price', aggregation: 'median' },
        { field: 'quantity', aggregation: 'percentile', percentile: 0.9 },
      ],
    });
    const countries = [...new Set(orderRows.map((row) => row[1] as string | null))].sort((a, b) =>
      a === null ? 1 : b === null ? -1 : a.localeCompare(b),
    );
    const expected = countries.map((country) => {
      const rows = orderRows.filter((row) => row[1] === country);
      return [
        country,
        expect.closeTo(
          percentileCont(
            rows.map((row) => row[5] as number),
            0.5,
          )!,
          9,
        ),
        expect.closeTo(
          percentileCont(
            rows.map((row) => row[4] as number),
            0.9,
          )!,
          9,
        ),
      ];
    });
    expect((await runner.run(query)).slice(0, query.rowCap)).toEqual(expected);
  });

  it('averages and takes the median of a column with NULLs, which are skipped', async () => {
    const model = {
      ...shopModel,
      baseTable: 'customers',
      dimensions: [
        ...shopModel.dimensions,
        { name: 'region_id', table: 'customers', column: 'region_id', type: 'integer' as const },
      ],
    };
    const ir = body({
      metrics: [
        { field: 'region_id', aggregation: 'avg' },
        { field: 'region_id', aggregation: 'median' },
        { field: 'region_id', aggregation: 'count' },
      ],
    });
    const query = compileQuery(model, ir, { dialect: 'clickhouse', principal: admin, maxRows: 10 });
    // region_id is 1, 2, 1 and NULL.
    expect((await runner.run(query)).slice(0, query.rowCap)).toEqual([[expect.closeTo(4 / 3, 9), 1, 3]]);
  });

  it('buckets weeks that start on Sunday and reads wall clocks in a zone', async () => {
    const query = compile({
      dimensions: [
        { field: 'date', granularity: 'week' },
        { field: 'created_at', granularity: 'hour', alias: 'paris_hour' },
      ],
      filters: { field: 'orders.id', operator: 'in', values: [2, 4] },
      weekStart: 7,
      timezone: 'Europe/Paris',
    });
    // 2024-01-20 is a Saturday (week from Sunday the 14th); 23:59:59 UTC is 00:59:59 in Paris.
    expect((await runner.run(query)).slice(0, query.rowCap)).toEqual([
      ['2024-01-14', '2024-01-21 00:00:00'],
      ['2024-02-25', '2024-02-29 13:00:00'],
    ]);
  });
});
