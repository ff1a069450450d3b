import { describe, expect, it } from 'vitest';
import {
  DEMO_BULK_ORDERS,
  DEMO_CATEGORIES,
  DEMO_COUNTRIES,
  DEMO_END,
  DEMO_ROWS,
  DEMO_START,
  demoRows,
} from './demo-rows.ts';

describe('demo rows', () => {
  it('are the same on every call, within the documented domain', () => {
    const first = demoRows(5000);
    expect(demoRows(5000)).toEqual(first);
    for (const [date, country, category, subcategory, quantity, price, cost] of first) {
      expect(String(date) >= DEMO_START && String(date) <= `${DEMO_END}T23:59:59`).toBe(true);
      expect(String(date)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
      expect(DEMO_COUNTRIES).toContain(country);
      expect(DEMO_CATEGORIES[String(category)]).toContain(subcategory);
      expect(Number.isInteger(quantity) && Number(quantity) >= 1 && Number(quantity) <= 10).toBe(true);
      expect(Number(cost)).toBeGreaterThan(0);
      expect(Number(cost)).toBeLessThan(Number(price));
    }
    expect(new Set(first.map((r) => r[1])).size).toBe(20);
  });

  it('hold the bulk orders at their rows, far above every other line, without moving the others', () => {
    const rows = demoRows();
    expect(rows).toHaveLength(DEMO_ROWS);
    const lineRevenue = (row: unknown[]) => Number(row[4]) * Number(row[5]);
    const bulkRows = new Set(DEMO_BULK_ORDERS.map((order) => order.row));
    let largestRegular = 0;
    rows.forEach((row, i) => {
      if (!bulkRows.has(i)) largestRegular = Math.max(largestRegular, lineRevenue(row));
    });
    for (const order of DEMO_BULK_ORDERS) {
      const row = rows[order.row];
      expect(row.slice(0, 5)).toEqual([
        order.date,
        order.country,
        expect.any(String),
        order.subcategory,
        order.quantity,
      ]);
      expect(lineRevenue(row)).toBeGreaterThan(10 * largestRegular);
    }
    // A shorter run draws the same rows: the first bulk order's row is replaced in both.
    expect(demoRows(DEMO_BULK_ORDERS[0].row + 2)).toEqual(rows.slice(0, DEMO_BULK_ORDERS[0].row + 2));
  });
});
