import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonScalar } from '../../engines/types.ts';
import { ensureDemoData } from './demo.ts';
import { DEMO_BULK_ORDERS, DEMO_ROWS, DEMO_SPIKE, demoRows } from './demo-rows.ts';
import { ORGANIZATION_ID, openHarness, principalFor } from './test-support.ts';
import type { DataSource } from './types.ts';

describe('demo data', async () => {
  const harness = await openHarness('sqlite');
  afterAll(async () => harness?.close());
  const h = harness!;
  const ensure = () =>
    ensureDemoData({ sources: h.data.sources, ingestor: h.data.ingestor, organizationId: ORGANIZATION_ID });
  let source: DataSource;
  beforeAll(async () => {
    source = await ensure();
  }, 60_000);

  /** Plain SQL on the loaded table, `demo` standing for it: checks independent of the query core. */
  const sql = async (text: string): Promise<JsonScalar[][]> => {
    const engine = await h.data.registry.engineFor(source.connectionId);
    const result = await engine.run(
      { sql: text.replace(/\bdemo\b/g, `storage.${source.table}`), params: [] },
      { maxRows: 1000 },
    );
    return result.rows;
  };
  /** Revenue (price × quantity) by a key expression. */
  const revenueBy = async (key: string, where = 'true'): Promise<Map<string, number>> =>
    new Map(
      (await sql(`SELECT ${key}, sum(price * quantity) FROM demo WHERE ${where} GROUP BY 1`)).map(
        ([k, v]) => [String(k), Number(v)],
      ),
    );

  it('loads 100 000 rows once, with stable sums', async () => {
    const storage = await h.data.sources.storageOf(source);
    expect(await storage.countRows(source.table!)).toBe(DEMO_ROWS);
    const again = await ensure();
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
    const [row] = await sql('SELECT sum(quantity), count(DISTINCT country), min(date), max(date) FROM demo');
    expect(row[0]).toBe(expected);
    expect(row[1]).toBe(20);
    expect(String(row[2]) >= '2023-01-01').toBe(true);
    expect(String(row[3]) < '2026-01-01').toBe(true);
    expect((await h.query.preview(principalFor('interactive_viewer'), source.uuid, 3)).rows).toHaveLength(3);
  });

  it('grows by 20 to 35 % a year, at a different pace per country', async () => {
    const years = await revenueBy('year(date)');
    expect([...years.keys()].sort()).toEqual(['2023', '2024', '2025']);
    const growth = (from: string, to: string) => (years.get(to) as number) / (years.get(from) as number);
    for (const [from, to] of [
      ['2023', '2024'],
      ['2024', '2025'],
    ]) {
      expect(growth(from, to)).toBeGreaterThan(1.2);
      expect(growth(from, to)).toBeLessThan(1.35);
    }
    const orders = new Map(
      (
        await sql(
          "SELECT country, count(*) FILTER (year(date) = 2025) / count(*) FILTER (year(date) = 2023) FROM demo WHERE country IN ('India', 'United States', 'Japan') GROUP BY 1",
        )
      ).map(([country, ratio]) => [country, Number(ratio)]),
    );
    expect(orders.get('India')).toBeGreaterThan(2);
    expect(orders.get('United States')).toBeGreaterThan(1.4);
    expect(orders.get('Japan')).toBeLessThan(1);
  });

  it('peaks in December, dips in summer, with a season per category', async () => {
    const months = await revenueBy("strftime(date, '%Y-%m')");
    for (const year of ['2023', '2024', '2025']) {
      const of = (month: number) => months.get(`${year}-${String(month).padStart(2, '0')}`) as number;
      const average = Array.from({ length: 12 }, (_, i) => of(i + 1)).reduce((a, b) => a + b) / 12;
      expect(of(12)).toBeGreaterThan(1.5 * average);
      expect(of(8)).toBeLessThan(average);
    }
    const share = async (category: string, months: string) => {
      const [[part, whole]] = await sql(
        `SELECT sum(price * quantity) FILTER (month(date) IN (${months})), sum(price * quantity) FROM demo WHERE category = '${category}'`,
      );
      return Number(part) / Number(whole);
    };
    // Four months hold a third of a flat year.
    expect(await share('Sports', '4, 5, 6, 7')).toBeGreaterThan(0.45);
    expect(await share('Electronics', '11, 12')).toBeGreaterThan(0.3);
  });

  it('holds the Brazilian spike and the bulk orders', async () => {
    const brazil = await sql(
      `SELECT strftime(date, '%Y-%m') AS month, count(*) FROM demo WHERE country = '${DEMO_SPIKE.country}' AND year(date) = ${DEMO_SPIKE.month.slice(0, 4)} GROUP BY 1 ORDER BY 2 DESC`,
    );
    expect(brazil[0][0]).toBe(DEMO_SPIKE.month);
    expect(Number(brazil[0][1])).toBeGreaterThan(2 * Number(brazil[1][1]));

    const largest = await sql(
      `SELECT strftime(date, '%Y-%m-%dT%H:%M:%S'), country, subcategory, quantity FROM demo ORDER BY price * quantity DESC LIMIT ${DEMO_BULK_ORDERS.length}`,
    );
    expect(largest.map((row) => row.join('|')).sort()).toEqual(
      DEMO_BULK_ORDERS.map((o) => [o.date, o.country, o.subcategory, o.quantity].join('|')).sort(),
    );
  });
});
