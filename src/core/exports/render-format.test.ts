import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeRenderPool, renderDashboardPdf, renderDashboardPng } from './render-pool.ts';
import type { DashboardRenderSpec } from './types.ts';

const hasPoppler = !spawnSync('pdftotext', ['-v']).error;
const results = join(process.cwd(), 'test-results');
mkdirSync(results, { recursive: true });
afterAll(() => closeRenderPool());

const countries = Array.from({ length: 20 }, (_, i) => `Country number ${i + 1}`);

/** A currency KPI, a table in percent with an identifier column, and a bar chart of 20 countries. */
const spec: DashboardRenderSpec = {
  title: 'Formats',
  widgets: [
    {
      id: 'kpi',
      title: 'Revenue',
      visualization: {
        type: 'kpi',
        options: { value: 'revenue', format: 'currency', currency: 'EUR', decimals: 2 },
      },
      result: {
        columns: [
          { name: 'date_year', type: 'date' },
          { name: 'revenue', type: 'number' },
        ],
        rows: [['2025-01-01', 1234.5]],
      },
    },
    {
      id: 'table',
      title: 'Shares',
      visualization: { type: 'table', options: { format: 'percent', decimals: 1 } },
      result: {
        columns: [
          { name: 'store_id', type: 'integer' },
          { name: 'share', type: 'number' },
        ],
        rows: [
          [1234567, 0.256],
          [1234568, 0.0044],
        ],
      },
    },
    {
      id: 'chart',
      title: 'Revenue by country',
      visualization: {
        type: 'bar',
        options: { goal: { value: 25_000, label: 'Target' }, format: 'currency', currency: 'EUR' },
      },
      result: {
        columns: [
          { name: 'country', type: 'string' },
          { name: 'revenue', type: 'number' },
        ],
        rows: countries.map((country, i) => [country, 1000 * (i + 1)]),
      },
    },
  ],
  layout: [
    { widgetId: 'kpi', x: 0, y: 0, w: 4, h: 3 },
    { widgetId: 'table', x: 4, y: 0, w: 8, h: 3 },
    { widgetId: 'chart', x: 0, y: 3, w: 4, h: 10 },
  ],
};

describe('number formats and chart settings in PDF and PNG', () => {
  it.skipIf(!hasPoppler)(
    'prints the KPI in euros, the table in percent, every country and the goal',
    async () => {
      const file = join(results, 'formats.pdf');
      const pdf = await renderDashboardPdf(spec);
      expect(pdf.warnings).toEqual([]);
      writeFileSync(file, pdf.data);
      const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
      expect(text).toContain('€1,234.50');
      expect(text).toMatch(/1234567 +25\.6%/);
      expect(text).toMatch(/1234568 +0\.4%/);
      for (const country of countries) expect(text).toContain(country);
      expect(text).toContain('Target: €25,000.00');
      expect(text).toMatch(/€\d+K/); // the value axis, in the short form of the format
    },
  );

  it('renders the same to PNG', async () => {
    const png = await renderDashboardPng(spec, { pngWidth: 1200 });
    expect(png.warnings).toEqual([]);
    writeFileSync(join(results, 'formats.png'), png.data);
  });
});
