import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_CATEGORIES, DEMO_COUNTRIES, DEMO_ROWS, demoRows, ensureDemoData } from './demo.ts';
import { ORGANIZATION_ID, openHarness, principalFor } from './test-support.ts';

describe('demo data', async () => {
  const harness = await openHarness('sqlite');
  afterAll(async () => harness?.close());
  const h = harness!;

  it('generates the same rows every time, within the documented domain', () => {
    const first = demoRows(5000);
    expect(demoRows(5000)).toEqual(first);
    for (const [date, country, category, subcategory, quantity, price, cost] of first) {
      expect(String(date) >= '2023-01-01' && String(date) <= '2025-12-31T23:59:59').toBe(true);
      expect(DEMO_COUNTRIES).toContain(country);
      expect(DEMO_CATEGORIES[String(category)]).toContain(subcategory);
      expect(Number.isInteger(quantity) && Number(quantity) >= 1 && Number(quantity) <= 10).toBe(true);
      expect(Number(cost)).toBeLessThan(Number(price));
    }
    expect(new Set(first.map((r) => r[1])).size).toBe(20);
  });

  it('loads 100 000 rows once, with stable sums', async () => {
    const source = await ensureDemoData({
      sources: h.data.sources,
      ingestor: h.data.ingestor,
      organizationId: ORGANIZATION_ID,
    });
    const storage = await h.data.sources.storageOf(source);
    expect(await storage.countRows(source.table!)).toBe(DEMO_ROWS);
    const again = await ensureDemoData({
      sources: h.data.sources,
      ingestor: h.data.ingestor,
      organizationId: ORGANIZATION_ID,
    });
    expect(again.id).toBe(source.id);
    expect(again.version).toBe(source.version);
    expect(source.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'date:datetime',
      'country:string',
      'category:string',
      'subcategory:string',
      'quantity:integer',
      'price:number',
      'cost_of_goods:number',
    ]);

    const expected = demoRows().reduce((sum, row) => sum + Number(row[4]), 0);
    const engine = await h.data.registry.engineFor(source.connectionId);
    const sql = `SELECT sum(quantity), count(DISTINCT country), min(date), max(date) FROM storage.${source.table}`;
    const result = await engine.run({ sql, params: [] }, { maxRows: 1 });
    expect(result.rows[0][0]).toBe(expected);
    expect(result.rows[0][1]).toBe(20);
    expect(String(result.rows[0][2]) >= '2023-01-01').toBe(true);
    expect(String(result.rows[0][3]) < '2026-01-01').toBe(true);
    expect((await h.query.preview(principalFor('interactive_viewer'), source.uuid, 3)).rows).toHaveLength(3);
  });
});
