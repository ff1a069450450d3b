/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaleColour } from '../../src/core/exports/table-grid.ts';
import { exportFile } from '../support/exports.ts';
import { hasChromium, useBrowserSession } from './browser.ts';

const RESULTS = join(import.meta.dirname, '..', '..', 'test-results');
const n = (value: number) => value.toLocaleString('en-US');

/*
 * Browser-side helpers, run by Playwright in the page (as their source text: they reach the
 * page's globals through globalThis, nothing of this module). The tests compile without the
 * DOM's types: what they touch there is typed loosely.
 */
// biome-ignore lint/suspicious/noExplicitAny: browser objects, without the DOM's types here
type Dom = any;

interface DrawnTable {
  head: string[][];
  body: string[][];
  foot: string[][];
}

/** A drawn table's cells, level by level and row by row, as people read them. */
const tableText = (table: Dom): DrawnTable => {
  const text = (rows: Dom) =>
    [...(rows ?? [])].map((row: Dom) => [...row.cells].map((cell: Dom) => cell.textContent ?? ''));
  return { head: text(table.tHead?.rows), body: text(table.tBodies[0]?.rows), foot: text(table.tFoot?.rows) };
};

/** The background of a body cell, by row and column (row labels included). */
const cellBackground = (table: Dom, [row, column]: [number, number]): string | null => {
  const cell = table.tBodies[0]?.rows[row]?.cells[column];
  return cell ? (globalThis as Dom).getComputedStyle(cell).backgroundColor : null;
};

/** Where a scroll box's first header cell, first row label and totals row are, scrolled to the end. */
const scrolledToEnd = (box: Dom) => {
  box.scrollTop = box.scrollHeight;
  box.scrollLeft = box.scrollWidth;
  const at = box.getBoundingClientRect();
  const table = box.querySelector('table');
  const head = table.tHead.rows[0].cells[0].getBoundingClientRect();
  const label = table.tBodies[0].rows[0].cells[0].getBoundingClientRect();
  const foot = table.tFoot.rows[0].getBoundingClientRect();
  return {
    scrolled: box.scrollTop > 0 && box.scrollLeft > 0,
    headTop: (head.top - at.top) as number,
    labelLeft: (label.left - at.left) as number,
    footBottom: (at.bottom - foot.bottom) as number,
  };
};

/** How many pixels of a PNG (base64) have each of the colours (`#rrggbb`). */
const countColours = async ({ data, colours }: { data: string; colours: string[] }): Promise<number[]> => {
  const image = new (globalThis as Dom).Image();
  image.src = `data:image/png;base64,${data}`;
  await image.decode();
  const canvas = (globalThis as Dom).document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const pixels = context.getImageData(0, 0, image.width, image.height).data;
  const wanted = colours.map((hex) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)));
  const counts = wanted.map(() => 0);
  for (let i = 0; i < pixels.length; i += 4)
    wanted.forEach(([r, g, b], k) => {
      if (pixels[i] === r && pixels[i + 1] === g && pixels[i + 2] === b) counts[k]++;
    });
  return counts;
};

const rgb = (hex: string) =>
  `rgb(${[1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

/**
 * A dashboard of a pivot with totals and a running total (units by country × category, the
 * running total down the countries in each category's column and in the row totals), as the
 * core answers it: drawn in Chromium with the numbers plain queries give, headers and totals
 * kept in view while the pivot scrolls, and the same cross-tab printed in the PDF and drawn in
 * the PNG export.
 */
describe.skipIf(!hasChromium)('pivot tables and totals on a dashboard and in its exports', () => {
  const session = useBrowserSession();

  it('draws the cross-tab, its totals and a running total as plain queries compute them, and exports them', async () => {
    const { app, base, page, context, consoleErrors, shot, waitForWidgets, signIn } = session();
    const sources = (await app.request('GET', '/api/data-sources')).body.items;
    const source = sources.find((s: { name: string }) => s.name === 'demo_sales').uuid;
    const units = [{ field: 'quantity', aggregation: 'sum' }];
    const created = await app.request('POST', '/api/dashboards', {
      name: 'Units pivot',
      widgets: [
        {
          id: 'pivot',
          title: 'Units by country and category',
          query: {
            source,
            dimensions: ['country', 'category'],
            metrics: units,
            post: [{ id: 'running', type: 'running_total', of: 'sum_quantity' }],
            pivot: { columns: ['category'] },
            totals: true,
          },
          visualization: { type: 'table', options: {} },
        },
      ],
      // narrower and shorter than the cross-tab, which scrolls both ways inside it on screen; wide
      // enough for the PDF to print every column in full
      layout: [{ widgetId: 'pivot', x: 0, y: 0, w: 12, h: 7 }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;

    // What the widgets must show, from plain grouped queries and arithmetic here.
    const plain = async (dimensions: unknown[]) => {
      const answer = await app.request('POST', '/api/query', { source, dimensions, metrics: units });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer.body.rows as [...(string | number)[]][];
    };
    const cells = new Map(
      (await plain(['country', 'category'])).map(([c, k, v]) => [`${c}|${k}`, v as number]),
    );
    const byCountry = await plain(['country']);
    const byCategory = await plain(['category']);
    const [[grand]] = (await plain([])) as [[number]];
    const categories = byCategory.map(([category]) => category as string);
    expect(categories.length).toBeGreaterThan(2);
    // The running totals down the countries (the pivot's rows, in the plain query's order): blank
    // until a category's first cell, then the sum so far.
    const running = new Map<string, number>();
    const runningCell = (column: string, value: number | undefined): string => {
      if (value !== undefined) running.set(column, (running.get(column) ?? 0) + value);
      const sum = running.get(column);
      return sum === undefined ? '' : n(sum);
    };
    const expectedBody = byCountry.map(([country, total]) => [
      country,
      ...categories.flatMap((category) => {
        const value = cells.get(`${country}|${category}`);
        return [value === undefined ? '' : n(value), runningCell(category, value)];
      }),
      n(total as number),
      runningCell('', total as number),
    ]);

    await signIn();
    await page.goto(`${base}/dashboards/${id}`);
    await waitForWidgets();
    const pivot = page.locator('[data-widget-id="pivot"] table.pivottable');
    const drawn = await pivot.evaluate(tableText);
    const each = ['Sum of quantity', 'Running'];
    expect(drawn.head).toEqual([
      ['Category', ...categories, 'Total'],
      ['Country', ...categories.flatMap(() => each), ...each],
    ]);
    expect(drawn.body).toEqual(expectedBody);
    // A running total has no total (the core gives none): its cells stay blank.
    expect(drawn.foot).toEqual([
      ['Total', ...byCategory.flatMap(([, total]) => [n(total as number), '']), n(grand), ''],
    ]);
    // The colour scale runs from the smallest cell to the largest (its own for the running totals).
    const largest = Math.max(...cells.values());
    const [country, category] = [...cells].find(([, value]) => value === largest)![0].split('|');
    const at: [number, number] = [
      byCountry.findIndex(([c]) => c === country),
      1 + 2 * categories.indexOf(category),
    ];
    expect(await pivot.evaluate(cellBackground, at)).toBe(rgb(scaleColour(1).fill));
    await shot('pivot-dashboard');

    // Scrolled down and right, the pivot keeps its header levels, its row labels and its totals in view.
    const box = page.locator('[data-widget-id="pivot"] .tablescroll');
    const kept = await box.evaluate(scrolledToEnd);
    expect(kept.scrolled).toBe(true);
    expect(Math.abs(kept.headTop)).toBeLessThan(1);
    expect(Math.abs(kept.labelLeft)).toBeLessThan(1);
    // the box's own horizontal scroll bar, if the browser draws one, sits below the totals
    expect(kept.footBottom).toBeGreaterThanOrEqual(0);
    expect(kept.footBottom).toBeLessThan(20);
    await shot('pivot-dashboard-scrolled');
    expect(consoleErrors).toEqual([]);

    // The PDF prints the same cross-tab: each country's line and the totals line.
    mkdirSync(RESULTS, { recursive: true });
    const pdf = await exportFile(app, { dashboard: id, format: 'pdf' });
    const pdfFile = join(RESULTS, 'pivot-dashboard.pdf');
    writeFileSync(pdfFile, pdf.data);
    const text = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' });
    const line = (cellsOfLine: string[]) =>
      new RegExp(
        cellsOfLine
          .filter((cell) => cell !== '')
          .map((cell) => cell.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('\\s+'),
      );
    expect(text).toMatch(line(['Category', ...categories, 'Total']));
    for (const row of drawn.body) expect(text).toMatch(line(row));
    expect(text).toMatch(line(drawn.foot[0]));

    // The PNG draws it (it cuts the rows that do not fit): the first country's cells carry the
    // colours of its values on the scale from the smallest cell to the largest.
    const png = await exportFile(app, { dashboard: id, format: 'png' });
    writeFileSync(join(RESULTS, 'pivot-dashboard-export.png'), png.data);
    const smallest = Math.min(...cells.values());
    const [first] = byCountry[0];
    const firstColours = categories.flatMap((category) => {
      const value = cells.get(`${first}|${category}`);
      return value === undefined ? [] : [scaleColour((value - smallest) / (largest - smallest)).fill];
    });
    expect(firstColours.length).toBeGreaterThan(0);
    const viewer = await context.newPage();
    try {
      const counts = await viewer.evaluate(countColours, {
        data: png.data.toString('base64'),
        colours: firstColours,
      });
      // at least a cell's worth of each
      for (const count of counts) expect(count).toBeGreaterThan(200);
    } finally {
      await viewer.close();
    }
  });
});
