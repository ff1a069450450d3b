import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import {
  dataOf,
  demoLines,
  demoSourceUuid,
  dim,
  jaql,
  jaqlErrorOf,
  nativeRows,
  quantityBy,
} from './jaql-support.ts';

/**
 * JAQL queries (`POST /api/datasources/{title}/jaql`) answer what the native API answers for the
 * same query, and what an independent computation over the demo rows gives: attributes with date
 * levels, every aggregation, model measures, formulas, sorting, paging and raw rows.
 */

const lines = demoLines();
let app: TestApp;
let source: string;

beforeAll(async () => {
  app = await startTestApp();
  source = await demoSourceUuid(app);
}, 120_000);
afterAll(() => app?.close());

const country = { jaql: { title: 'Country', dim: dim('country'), datatype: 'text' } };
const sumQuantity = {
  jaql: { title: 'Total Quantity', dim: dim('quantity'), datatype: 'numeric', agg: 'sum' },
};

describe('attributes and measures', () => {
  it('answers headers, metadata and {data, text} cells equal to the native answer', async () => {
    const answer = await jaql(app, [country, sumQuantity]);
    expect(answer.body.headers).toEqual(['Country', 'Total Quantity']);
    expect(answer.body.metadata).toEqual([country, sumQuantity]);
    expect(answer.body.datasource).toMatchObject({ title: 'demo_sales', fullname: 'LocalHost/demo_sales' });
    expect(answer.body.values[0][0]).toEqual({ data: 'Australia', text: 'Australia' });
    expect(answer.body.values[0][1].text).toBe(String(answer.body.values[0][1].data));
    expect(dataOf(answer)).toEqual(quantityBy(lines, (line) => line.country));
    const native = await nativeRows(app, {
      source,
      dimensions: ['country'],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
    });
    expect(dataOf(answer)).toEqual(native);
  });

  it('answers cells in the order of the request items, scope items left out', async () => {
    const scope = { jaql: { dim: dim('category'), filter: { members: ['Sports'] } }, panel: 'scope' };
    const answer = await jaql(app, [sumQuantity, scope, country]);
    expect(answer.body.headers).toEqual(['Total Quantity', 'Country']);
    expect(answer.body.metadata).toEqual([sumQuantity, country]);
    const expected = quantityBy(
      lines,
      (line) => line.country,
      (line) => line.category === 'Sports',
    );
    expect(dataOf(answer)).toEqual(expected.map(([name, sum]) => [sum, name]));
  });

  it('answers one row for a measures-only query', async () => {
    const answer = await jaql(app, [sumQuantity, { jaql: { dim: dim('country'), agg: 'count' } }]);
    const total = lines.reduce((sum, line) => sum + line.quantity, 0);
    expect(dataOf(answer)).toEqual([[total, new Set(lines.map((line) => line.country)).size]]);
  });

  it.each([
    ['years', 'year'],
    ['quarters', 'quarter'],
    ['months', 'month'],
    ['weeks', 'week'],
    ['days', 'day'],
    ['hours', 'hour'],
    ['minutes', 'minute'],
  ])('buckets a datetime by level %s as the native %s granularity', async (level, granularity) => {
    const answer = await jaql(
      app,
      [{ jaql: { dim: dim('date'), datatype: 'datetime', level } }, sumQuantity],
      {
        extra: { count: 20 },
      },
    );
    const native = await nativeRows(app, {
      source,
      dimensions: [{ field: 'date', granularity }],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
      limit: 20,
    });
    expect(dataOf(answer)).toEqual(native);
    expect(answer.body.values[0][0].text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00$/);
  });

  it('buckets years as the periods of the rows', async () => {
    const answer = await jaql(app, [
      { jaql: { dim: dim('date'), datatype: 'datetime', level: 'years' } },
      sumQuantity,
    ]);
    const expected = quantityBy(lines, (line) => `${line.date.slice(0, 4)}-01-01T00:00:00`);
    expect(dataOf(answer)).toEqual(expected);
  });

  it.each([
    ['sum', 'sum'],
    ['avg', 'avg'],
    ['min', 'min'],
    ['max', 'max'],
    ['count', 'count_distinct'],
    ['countduplicates', 'count'],
    ['median', 'median'],
    ['stdev', 'stddev'],
    ['var', 'variance'],
  ])('aggregates with agg %s as the native %s', async (agg, aggregation) => {
    const answer = await jaql(app, [country, { jaql: { dim: dim('price'), agg } }]);
    const native = await nativeRows(app, {
      source,
      dimensions: ['country'],
      metrics: [{ field: 'price', aggregation }],
    });
    expect(dataOf(answer)).toEqual(native);
  });

  it('counts unique values with count and rows with countduplicates', async () => {
    const answer = await jaql(app, [
      { jaql: { dim: dim('subcategory'), agg: 'count' } },
      { jaql: { dim: dim('subcategory'), agg: 'countduplicates' } },
    ]);
    expect(dataOf(answer)).toEqual([[new Set(lines.map((line) => line.subcategory)).size, lines.length]]);
  });

  it('refuses population statistics and unknown aggregations as JAQL errors naming the item', async () => {
    expect(jaqlErrorOf(await jaql(app, [country, { jaql: { dim: dim('price'), agg: 'stdevp' } }]))).toMatch(
      /^metadata\[1\]\.jaql\.agg: .*stdevp/,
    );
    expect(jaqlErrorOf(await jaql(app, [country, { jaql: { dim: dim('price'), agg: 'mode' } }]))).toMatch(
      /^metadata\[1\]\.jaql\.agg: unknown aggregation "mode"/,
    );
  });
});

describe('a model cube', () => {
  beforeAll(async () => {
    const model = await app.request('POST', '/api/models', {
      name: 'Sales Cube',
      connectionId: (await app.request('GET', '/api/data-sources')).body.items.find(
        (item: { name: string }) => item.name === 'demo_sales',
      ).connectionId,
      baseTable: 'Sales',
      tables: [{ name: 'Sales', dataSource: source }],
      joins: [],
      dimensions: [
        { name: 'Country', table: 'Sales', column: 'country', type: 'string' },
        { name: 'Date', table: 'Sales', column: 'date', type: 'datetime' },
        { name: 'Quantity', table: 'Sales', column: 'quantity', type: 'integer' },
      ],
      metrics: [{ name: 'Units', table: 'Sales', aggregation: 'sum', column: 'quantity' }],
    });
    expect(model.status, JSON.stringify(model.body)).toBe(201);
  });

  it('answers a model measure (no agg) as the model metric', async () => {
    const answer = await jaql(
      app,
      [{ jaql: { dim: '[Sales.Country]' } }, { jaql: { dim: '[Sales.Units]' } }],
      {
        cube: 'Sales Cube',
      },
    );
    expect(dataOf(answer)).toEqual(quantityBy(lines, (line) => line.country));
    const native = await nativeRows(app, {
      source: 'Sales Cube',
      dimensions: ['Country'],
      metrics: [{ metric: 'Units' }],
    });
    expect(dataOf(answer)).toEqual(native);
  });
});

describe('formulas', () => {
  const context = {
    '[q]': { dim: dim('quantity') },
    '[p]': { dim: dim('price') },
    '[sq]': { dim: dim('quantity'), agg: 'sum' },
  };
  const formula = (text: string, extra: Record<string, unknown> = {}) => ({
    jaql: { title: text, formula: text, context: { ...context, ...extra } },
  });

  it('computes the aggregation functions over context members, and arithmetic', async () => {
    const answer = await jaql(app, [
      country,
      formula('SUM([q])'),
      formula('DUPCOUNT([q]) + COUNT([q]) * 2'),
      formula('(MAX([p]) - MIN([p])) / 2'),
      formula('AVG([p])'),
      formula('[sq] / DUPCOUNT([q])'),
      formula('-MEDIAN([p])'),
      formula('STDEV([p]) + VAR([p])'),
    ]);
    const native = await nativeRows(app, {
      source,
      dimensions: ['country'],
      metrics: [
        { field: 'quantity', aggregation: 'sum' },
        { field: 'quantity', aggregation: 'count' },
        { field: 'quantity', aggregation: 'count_distinct' },
        { field: 'price', aggregation: 'max' },
        { field: 'price', aggregation: 'min' },
        { field: 'price', aggregation: 'avg' },
        { field: 'price', aggregation: 'median' },
        { field: 'price', aggregation: 'stddev' },
        { field: 'price', aggregation: 'variance' },
      ],
    });
    const rows = dataOf(answer);
    expect(rows).toHaveLength(native.length);
    rows.forEach((row, i) => {
      const [name, sum, count, distinct, max, min, avg, median, stddev, variance] = native[i] as number[];
      expect(row[0]).toBe(name);
      expect(row[1]).toBe(sum);
      expect(row[2]).toBe(count + distinct * 2);
      expect(row[3]).toBeCloseTo((max - min) / 2, 9);
      expect(row[4]).toBeCloseTo(avg, 9);
      expect(row[5]).toBeCloseTo(sum / count, 9);
      expect(row[6]).toBeCloseTo(-median, 9);
      expect(row[7]).toBeCloseTo(stddev + variance, 6);
    });
  });

  it('restricts a measured value by its filter members', async () => {
    const answer = await jaql(app, [
      country,
      formula('([sq], [sports])', { '[sports]': { dim: dim('category'), filter: { members: ['Sports'] } } }),
    ]);
    const sports = new Map(
      quantityBy(
        lines,
        (line) => line.country,
        (line) => line.category === 'Sports',
      ),
    );
    expect(dataOf(answer)).toEqual(
      quantityBy(lines, (line) => line.country).map(([name]) => [name, sports.get(name)]),
    );
  });

  it('computes RSUM, CONTRIBUTION and RANK as the native post calculations', async () => {
    const year = { jaql: { dim: dim('date'), datatype: 'datetime', level: 'years' } };
    const answer = await jaql(app, [
      year,
      formula('RSUM([sq])'),
      formula('CONTRIBUTION([sq])'),
      formula('RANK([sq], "ASC")'),
      formula('RANK(SUM([q]))'),
    ]);
    const native = await nativeRows(app, {
      source,
      dimensions: [{ field: 'date', granularity: 'year' }],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
      post: [
        { id: 'running', type: 'running_total', of: 'sum_quantity' },
        { id: 'share', type: 'percent_of_total', of: 'sum_quantity' },
        { id: 'up', type: 'rank', of: 'sum_quantity', ascending: true },
        { id: 'down', type: 'rank', of: 'sum_quantity' },
      ],
    });
    expect(dataOf(answer)).toEqual(native.map(([period, , ...rest]) => [period, ...rest]));
    const sums = quantityBy(lines, (line) => line.date.slice(0, 4)).map(([, sum]) => sum);
    expect(dataOf(answer).map((row) => row[1])).toEqual([
      sums[0],
      sums[0] + sums[1],
      sums[0] + sums[1] + sums[2],
    ]);
  });

  it('filters on a running function after it is computed', async () => {
    const year = { jaql: { dim: dim('date'), datatype: 'datetime', level: 'years' } };
    const running = { jaql: { ...formula('RSUM([sq])').jaql, filter: { fromNotEqual: 100_000 } } };
    const sums = quantityBy(lines, (line) => line.date.slice(0, 4)).map(([, sum]) => sum);
    const rows = dataOf(await jaql(app, [year, running]));
    expect(rows.map((row) => row[1])).toEqual([sums[0] + sums[1], sums[0] + sums[1] + sums[2]]);
  });

  it('computes PASTYEAR, DIFFPASTYEAR, GROWTHPASTYEAR and GROWTH along a year level', async () => {
    const year = { jaql: { dim: dim('date'), datatype: 'datetime', level: 'years' } };
    const answer = await jaql(app, [
      year,
      formula('[sq]'),
      formula('PASTYEAR([sq])'),
      formula('DIFFPASTYEAR([sq])'),
      formula('GROWTHPASTYEAR([sq])'),
      formula('GROWTH([sq])'),
    ]);
    const sums = quantityBy(lines, (line) => line.date.slice(0, 4)).map(([, sum]) => sum);
    const rows = dataOf(answer);
    expect(rows.map((row) => row[1])).toEqual(sums);
    expect(rows.map((row) => row[2])).toEqual([null, sums[0], sums[1]]);
    expect(rows.map((row) => row[3])).toEqual([null, sums[1] - sums[0], sums[2] - sums[1]]);
    expect(rows[2][4]).toBeCloseTo((sums[2] - sums[1]) / sums[1], 9);
    expect(rows[2][5]).toBeCloseTo((sums[2] - sums[1]) / sums[1], 9);
    expect(answer.body.values[0][2]).toEqual({ data: null, text: 'N\\A' });
  });

  it('answers JAQL errors naming the function, the member or the level a function needs', async () => {
    const year = { jaql: { dim: dim('date'), datatype: 'datetime', level: 'years' } };
    expect(jaqlErrorOf(await jaql(app, [year, formula('PASTMONTH([sq])')]))).toMatch(
      /^metadata\[1\]\.jaql\.formula: PASTMONTH needs .*level months/,
    );
    expect(jaqlErrorOf(await jaql(app, [country, formula('YTDSUM([sq])')]))).toMatch(
      /the function YTDSUM is not supported/,
    );
    expect(jaqlErrorOf(await jaql(app, [country, formula('SUM([nope])')]))).toMatch(
      /\[nope\] is not a member of the context/,
    );
    expect(jaqlErrorOf(await jaql(app, [country, formula('GROWTH([sq])')]))).toMatch(
      /GROWTH needs a date attribute/,
    );
    expect(jaqlErrorOf(await jaql(app, [country, formula('SUM([q]) +')]))).toMatch(
      /^metadata\[1\]\.jaql\.formula: /,
    );
    expect(jaqlErrorOf(await jaql(app, [country, formula('RSUM(RANK([sq]))')]))).toMatch(/RSUM over another/);
  });
});

describe('sorting, paging and raw rows', () => {
  it('sorts by items in item order, and pages with count and offset', async () => {
    const sorted = quantityBy(lines, (line) => line.country).sort(([, a], [, b]) => b - a);
    const answer = await jaql(app, [country, { jaql: { ...sumQuantity.jaql, sort: 'desc' } }], {
      extra: { count: 3, offset: 2 },
    });
    expect(dataOf(answer)).toEqual(sorted.slice(2, 5));
    const byName = await jaql(app, [{ jaql: { ...country.jaql, sort: 'desc' } }, sumQuantity], {
      extra: { count: 2 },
    });
    expect(dataOf(byName).map((row) => row[0])).toEqual(['United States', 'United Kingdom']);
  });

  it('answers stored rows with ungroup, an agg item being the row value', async () => {
    const answer = await jaql(
      app,
      [
        { jaql: { dim: dim('date'), datatype: 'datetime', sort: 'asc' } },
        { jaql: { dim: dim('quantity'), agg: 'sum' } },
      ],
      { extra: { ungroup: true, count: 3 } },
    );
    const first = [...lines].sort((a, b) => a.date.localeCompare(b.date)).slice(0, 3);
    expect(dataOf(answer)).toEqual(first.map((line) => [line.date, line.quantity]));
  });

  it('refuses a bad sort and a bad count as errors naming them', async () => {
    expect(jaqlErrorOf(await jaql(app, [{ jaql: { ...country.jaql, sort: 'up' } }]))).toMatch(
      /^metadata\[0\]\.jaql\.sort/,
    );
    expect(jaqlErrorOf(await jaql(app, [country], { extra: { count: -1 } }))).toMatch(/^count: /);
  });
});
