import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRows } from '../src/core/data/index.ts';
import { startTestApp, type TestApp } from './support/app.ts';

/** Row-level calculated fields through POST /api/query, checked against JS over the demo rows. */
let app: TestApp;
let source: string;
beforeAll(async () => {
  app = await startTestApp();
  const { body } = await app.request('GET', '/api/data-sources');
  source = body.items.find((item: { name: string }) => item.name === 'demo_sales').uuid;
}, 120_000);
afterAll(() => app?.close());

describe('POST /api/query with calculations', () => {
  it('sums a row-level product per country and filters on it', async () => {
    const expected = new Map<string, number>();
    for (const [, country, , , quantity, price] of demoRows()) {
      const revenue = (quantity as number) * (price as number);
      if (revenue > 100) expected.set(country as string, (expected.get(country as string) ?? 0) + revenue);
    }
    const answer = await app.request('POST', '/api/query', {
      source,
      calculations: [{ name: 'revenue', formula: 'quantity * price' }],
      dimensions: ['country'],
      metrics: [{ field: 'revenue', aggregation: 'sum' }],
      filters: { field: 'revenue', operator: '>', values: [100] },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.columns.map((c: { name: string }) => c.name)).toEqual(['country', 'sum_revenue']);
    expect(answer.body.rows).toHaveLength(expected.size);
    for (const [country, sum] of answer.body.rows)
      expect(sum).toBeCloseTo(expected.get(country) as number, 6);
  });

  it('answers a calculation named like a field with a 400 naming it', async () => {
    const answer = await app.request('POST', '/api/query', {
      source,
      calculations: [{ name: 'price', formula: 'price * 2' }],
      metrics: [{ field: 'price', aggregation: 'sum' }],
    });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain(
      'calculations[0].name: \\"price\\" is already a field of the model',
    );
  });
});
