/**
 * Made-up inputs for tests and benchmarks of the exports without a database: a dashboard
 * shaped like the demo one and a row stream of any length.
 */
import type { JsonScalar, RowStream } from '../../engines/types.ts';
import type { DashboardRenderSpec } from './types.ts';

const COUNTRIES = [
  'France',
  'Germany',
  'Spain',
  'Italy',
  'Portugal',
  'Belgium',
  'Netherlands',
  'Austria',
  'Poland',
  'Sweden',
  'Norway',
  'Denmark',
  'Finland',
  'Ireland',
  'Greece',
  'Czechia',
  'Hungary',
  'Romania',
  'Ukraine',
  'Switzerland',
];

export function sampleDashboardSpec(): DashboardRenderSpec {
  const months = Array.from({ length: 36 }, (_, i) => {
    const date = new Date(Date.UTC(2022, i, 1));
    return date.toISOString().slice(0, 10);
  });
  const categories = ['Books', 'Games', 'Garden', 'Kitchen', 'Music', 'Toys'];
  return {
    title: 'Demo sales',
    headerHtml:
      '<h2>Sales overview</h2><p>Units sold and revenue of the demo shop, <b>by country</b>, <i>month</i> and <span style="color:#c0392b">category</span>.</p>',
    widgets: [
      {
        id: 'units-sold',
        title: 'Units sold',
        visualization: { type: 'kpi', options: { format: 'integer' } },
        result: { columns: [{ name: 'sum_quantity', type: 'number' }], rows: [[1284533]] },
      },
      {
        id: 'revenue-by-country',
        title: 'Revenue by country',
        visualization: { type: 'bar', options: { x: 'country', y: ['sum_price'] } },
        result: {
          columns: [
            { name: 'country', type: 'string' },
            { name: 'sum_price', type: 'number' },
          ],
          rows: COUNTRIES.map((country, i) => [country, Math.round(900_000 / (i + 1.5))]),
        },
      },
      {
        id: 'units-by-month',
        title: 'Units sold per month',
        visualization: { type: 'line', options: { x: 'date_month', y: ['sum_quantity'] } },
        result: {
          columns: [
            { name: 'date_month', type: 'date' },
            { name: 'sum_quantity', type: 'number' },
          ],
          rows: months.map((month, i) => [month, 30_000 + Math.round(8_000 * Math.sin(i / 2)) + i * 400]),
        },
      },
      {
        id: 'sales-by-category',
        title: 'Sales by category',
        visualization: { type: 'table', options: {} },
        result: {
          columns: [
            { name: 'category', type: 'string' },
            { name: 'subcategory', type: 'string' },
            { name: 'sum_quantity', type: 'number' },
            { name: 'sum_price', type: 'number' },
            { name: 'sum_cost_of_goods', type: 'number' },
          ],
          rows: Array.from({ length: 60 }, (_, i) => [
            categories[i % categories.length],
            `Subcategory ${i + 1}`,
            1000 + i * 37,
            (1000 + i * 37) * 12.5,
            (1000 + i * 37) * 7.25,
          ]),
        },
      },
    ],
    layout: [
      { widgetId: 'units-sold', x: 0, y: 0, w: 3, h: 4 },
      { widgetId: 'revenue-by-country', x: 3, y: 0, w: 9, h: 4 },
      { widgetId: 'units-by-month', x: 0, y: 4, w: 12, h: 4 },
      { widgetId: 'sales-by-category', x: 0, y: 8, w: 12, h: 6 },
    ],
  };
}

/** `rowCount` rows of (id, name, amount, day, flag) in batches, generated as they are pulled. */
export function syntheticRowStream(rowCount: number, batchSize = 10_000): RowStream {
  async function* batches(): AsyncGenerator<JsonScalar[][]> {
    for (let start = 0; start < rowCount; start += batchSize) {
      const end = Math.min(rowCount, start + batchSize);
      const batch: JsonScalar[][] = [];
      for (let i = start; i < end; i++) {
        const day = `2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
        batch.push([i, `customer ${i % 9973}`, (i % 100_000) / 100, day, i % 3 === 0]);
      }
      yield batch;
    }
  }
  return {
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'name', type: 'string' },
      { name: 'amount', type: 'number' },
      { name: 'day', type: 'date' },
      { name: 'flag', type: 'boolean' },
    ],
    batches: batches(),
  };
}
