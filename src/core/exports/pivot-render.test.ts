import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeDashboard } from './compose.ts';
import { renderPdf } from './pdf.ts';
import { renderPng } from './png.ts';
import type { Page } from './scene.ts';
import { scaleColour } from './table-grid.ts';
import type { DashboardRenderSpec, WidgetResult } from './types.ts';

const hasPoppler = !spawnSync('pdftotext', ['-v']).error;
const results = join(process.cwd(), 'test-results');
mkdirSync(results, { recursive: true });

const CATEGORIES = ['Books', 'Games', 'Toys'];

/** A pivot answer (the core's shape): `rows` countries × categories, quantities, with totals. */
function pivotResult(rows: number): WidgetResult {
  const quantity = (r: number, c: number) => ((r * 7 + c * 13) % 50) + 1;
  const data = Array.from({ length: rows }, (_, r) => {
    const cells = CATEGORIES.map((_, c) => quantity(r, c));
    return [`Country ${String(r + 1).padStart(2, '0')}`, ...cells, cells.reduce((a, b) => a + b, 0)];
  });
  const sum = (index: number) => data.reduce((n, row) => n + Number(row[index]), 0);
  return {
    columns: [
      { name: 'country', id: 'country', kind: 'dimension', type: 'string' },
      ...CATEGORIES.map((category) => ({
        name: `sum_quantity|${category}`,
        id: `sum_quantity|${category}`,
        kind: 'metric' as const,
        type: 'number' as const,
        pivot: { metric: 'sum_quantity', values: [category] },
      })),
      { name: 'sum_quantity', id: 'sum_quantity', kind: 'metric', type: 'number' },
    ],
    rows: data,
    totals: {
      ...Object.fromEntries(CATEGORIES.map((category, c) => [`sum_quantity|${category}`, sum(c + 1)])),
      sum_quantity: sum(CATEGORIES.length + 1),
    },
    pivot: {
      rows: ['country'],
      columns: ['category'],
      metrics: ['sum_quantity'],
      values: CATEGORIES.map((c) => [c]),
    },
  } as WidgetResult;
}

function spec(result: WidgetResult): DashboardRenderSpec {
  return {
    title: 'Pivot export',
    widgets: [
      {
        id: 'p',
        title: 'Units by country and category',
        visualization: { type: 'table', options: {} },
        result,
      },
    ],
    layout: [{ widgetId: 'p', x: 0, y: 0, w: 12, h: 6 }],
  };
}

const pageText = (page: Page) =>
  page.shapes.flatMap((s) => (s.kind === 'text' ? [s.runs.map((r) => r.text).join('')] : []));

describe('a pivot table in PDF and PNG exports', () => {
  it('prints the cross-tab with its colour scale, header levels on every page, and the totals row at the end', async () => {
    const result = pivotResult(80);
    const { pages } = composeDashboard(spec(result), {}, 'pdf');
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) {
      // the headers are repeated wherever the table goes on
      expect(pageText(page)).toEqual(expect.arrayContaining(['Category', 'Books', 'Games', 'Toys', 'Total']));
    }
    const totals = result.totals!;
    const last = pageText(pages.at(-1)!);
    const totalsAt = last.indexOf('Total', last.indexOf('Country 80'));
    expect(totalsAt).toBeGreaterThan(0);
    expect(last.slice(totalsAt, totalsAt + 5)).toEqual([
      'Total',
      ...CATEGORIES.map((c) => Number(totals[`sum_quantity|${c}`]).toLocaleString('en-US')),
      totals.sum_quantity!.toLocaleString('en-US'),
    ]);
    // only the last page has the totals row
    for (const page of pages.slice(0, -1))
      expect(pageText(page).filter((t) => t === 'Total')).toHaveLength(1);
    // the largest cell has the strongest colour, the smallest the lightest
    const fills = new Set(pages.flatMap((p) => p.shapes.flatMap((s) => (s.kind === 'rect' ? [s.fill] : []))));
    expect(fills).toContain(scaleColour(1).fill);
    expect(fills).toContain(scaleColour(0).fill);

    if (!hasPoppler) return;
    const output = await renderPdf(spec(result));
    expect(output.warnings).toEqual([]);
    const file = join(results, 'pivot-export.pdf');
    writeFileSync(file, output.data);
    const second = execFileSync('pdftotext', ['-layout', '-f', '2', '-l', '2', file, '-']).toString();
    expect(second).toMatch(/Category\s+Books\s+Games\s+Toys\s+Total/);
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
    const row = result.rows[0];
    expect(text).toMatch(new RegExp(`${row[0]}\\s+${row[1]}\\s+${row[2]}\\s+${row[3]}\\s+${row[4]}`));
  });

  it('ends a PNG table with the rows it left out, then the totals', async () => {
    const result = pivotResult(40);
    const { pages } = composeDashboard(spec(result), {}, 'png');
    const texts = pageText(pages[0]);
    const more = texts.findIndex((t) => /^… \d+ more rows$/.test(t));
    expect(more).toBeGreaterThan(0);
    const drawn = texts.filter((t) => t.startsWith('Country ')).length;
    expect(texts[more]).toBe(`… ${40 - drawn} more rows`);
    expect(texts[more + 1]).toBe('Total');
    const output = await renderPng(spec(result));
    writeFileSync(join(results, 'pivot-export.png'), output.data);
    expect(output.data.subarray(1, 4).toString()).toBe('PNG');
  });
});
