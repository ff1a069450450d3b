import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRows } from '../src/core/data/index.ts';
import { startTestApp, type TestApp } from './support/app.ts';

/**
 * What POST /api/query answers besides rows, on the demo data: column metadata, totals and
 * subtotals computed over every matching row (not the returned page), and pivots. Expected
 * numbers are computed in JS from the same deterministic rows the demo loads.
 */
let app: TestApp;
let source: string;

/** Demo rows: date, country, category, subcategory, quantity, price, cost_of_goods. */
const lines = demoRows();
const sumOf = (rows: typeof lines, column: number): number =>
  rows.reduce((sum, row) => sum + (row[column] as number), 0);

beforeAll(async () => {
  app = await startTestApp();
  const demo = (await app.request('GET', '/api/data-sources')).body.items.find(
    (s: { name: string }) => s.name === 'demo_sales',
  );
  source = demo.uuid;
}, 120_000);
afterAll(() => app?.close());

const metrics = [
  { field: 'quantity', aggregation: 'sum' },
  { aggregation: 'count' },
  { field: 'price', aggregation: 'avg' },
];

describe('POST /api/query', () => {
  it('refuses an unknown field with a reason a client can switch on, and the field apart', async () => {
    const answer = await app.request('POST', '/api/query', { source, dimensions: ['colour'], metrics });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toEqual({
      code: 'ERR_VALIDATION',
      reason: 'query.unknown_field',
      message: 'dimensions[0].field: unknown field "colour"',
      field: 'dimensions[0].field',
    });
  });

  it('describes each result column: id, kind, type and format', async () => {
    const answer = await app.request('POST', '/api/query', {
      source,
      dimensions: ['country', { field: 'date', granularity: 'month', alias: 'month' }],
      metrics,
      limit: 1,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.columns).toEqual([
      { name: 'country', id: 'country', kind: 'dimension', type: 'string', nativeType: expect.any(String) },
      expect.objectContaining({
        name: 'month',
        id: 'month',
        kind: 'dimension',
        type: 'date',
        format: 'date',
      }),
      expect.objectContaining({ id: 'sum_quantity', kind: 'metric', type: 'integer', format: 'integer' }),
      expect.objectContaining({ id: 'count', kind: 'metric', type: 'integer', format: 'integer' }),
      expect.objectContaining({ id: 'avg_price', kind: 'metric', type: 'number' }),
    ]);
    expect(answer.body.columns[4].format).toBeUndefined();
  });

  it('answers totals and subtotals over every row, not the page the limit cut', async () => {
    const answer = await app.request('POST', '/api/query', {
      source,
      dimensions: ['country', 'category'],
      metrics,
      limit: 3,
      totals: { subtotals: ['category'] },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ truncated: true });
    expect(answer.body.rows).toHaveLength(3);
    expect(answer.body.totals).toEqual({
      sum_quantity: sumOf(lines, 4),
      count: lines.length,
      avg_price: expect.closeTo(sumOf(lines, 5) / lines.length, 6),
    });
    const categories = [...new Set(lines.map((row) => row[2] as string))].sort();
    expect(answer.body.subtotals.category.map((row: { category: string }) => row.category)).toEqual(
      categories,
    );
    for (const row of answer.body.subtotals.category) {
      const of = lines.filter((line) => line[2] === row.category);
      expect(row).toEqual({
        category: row.category,
        sum_quantity: sumOf(of, 4),
        count: of.length,
        avg_price: expect.closeTo(sumOf(of, 5) / of.length, 6),
      });
    }
  });

  it('answers a pivot: spread columns per value and metric, row totals, and their totals', async () => {
    const answer = await app.request('POST', '/api/query', {
      source,
      dimensions: ['country', 'category'],
      metrics: [metrics[0]],
      pivot: { columns: ['category'] },
      totals: true,
    });
    expect(answer.status).toBe(200);
    const categories = [...new Set(lines.map((row) => row[2] as string))].sort();
    expect(answer.body.pivot).toEqual({
      rows: ['country'],
      columns: ['category'],
      metrics: ['sum_quantity'],
      values: categories.map((c) => [c]),
    });
    const ids = answer.body.columns.map((c: { id: string }) => c.id);
    expect(ids).toEqual(['country', ...categories.map((c) => `sum_quantity|${c}`), 'sum_quantity']);
    expect(answer.body.columns[1]).toMatchObject({
      kind: 'metric',
      type: 'integer',
      pivot: { metric: 'sum_quantity', values: [categories[0]] },
    });
    const france = answer.body.rows.find((row: unknown[]) => row[0] === 'France');
    categories.forEach((category, i) => {
      const cell = lines.filter((line) => line[1] === 'France' && line[2] === category);
      expect(france[1 + i]).toBe(cell.length ? sumOf(cell, 4) : null);
    });
    expect(france.at(-1)).toBe(
      sumOf(
        lines.filter((line) => line[1] === 'France'),
        4,
      ),
    );
    for (const category of categories) {
      expect(answer.body.totals[`sum_quantity|${category}`]).toBe(
        sumOf(
          lines.filter((line) => line[2] === category),
          4,
        ),
      );
    }
    expect(answer.body.totals.sum_quantity).toBe(sumOf(lines, 4));
  });

  it('refuses a pivot wider than its bound with a 400 naming pivot.columns', async () => {
    const answer = await app.request('POST', '/api/query', {
      source,
      dimensions: ['country', 'category'],
      metrics,
      pivot: { columns: ['country'], maxColumns: 5 },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('pivot.columns');
    const countries = new Set(lines.map((row) => row[1])).size;
    expect(answer.body.error.message).toContain(`${countries} value combinations × 3 metrics`);
  });
});
