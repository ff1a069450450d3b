import { describe, expect, it } from 'vitest';
import { DEMO_ROWS } from '../../src/core/data/index.ts';
import { hasChromium, useBrowserSession } from './browser.ts';

interface DrawnSeries {
  name: string;
  data: (number | null)[];
}

/**
 * Browser-side: the page coordinates of a pixel of the preview chart in the bars' blue (axes,
 * labels and grid lines are grey), i.e. a point on a bar; null while there is none.
 */
const BAR_PIXEL = `(() => {
  const canvas = document.querySelector('section.preview .chart canvas');
  if (!canvas) return null;
  const { data, width, height } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  const box = canvas.getBoundingClientRect();
  for (let y = Math.floor(height * 0.85); y > 0; y -= 4) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 4;
      if (data[at + 2] > 150 && data[at + 2] - data[at] > 80)
        return { x: box.left + ((x + 3) * box.width) / width, y: box.top + (y * box.height) / height };
    }
  }
  return null;
})()`;

describe.skipIf(!hasChromium)('Explore in headless Chromium', () => {
  const session = useBrowserSession();
  let source: string;

  it('starts with a table of the first rows and says how many of how many it shows', async () => {
    const { app, base, page, consoleErrors, shot, signIn } = session();
    const sources = await app.request('GET', '/api/data-sources');
    source = sources.body.items.find((s: { name: string }) => s.name === 'demo_sales').uuid;
    await signIn();
    await page.goto(`${base}/explore?source=${source}`);
    const table = page.locator('section.preview[data-state="ready"] table');
    await table.locator('tbody tr').first().waitFor();
    await expect
      .poll(() => page.getByTestId('row-count').textContent())
      .toContain(`Showing 500 of ${DEMO_ROWS.toLocaleString('en-US')} rows`);
    expect(await page.getByLabel('Chart type').inputValue()).toBe('');
    expect(await page.locator('section.preview canvas').count()).toBe(0);
    await shot('explore-first-rows');
    expect(consoleErrors).toEqual([]);
  });

  it('sums a custom column by country, as a plain API query does', async () => {
    const { app, page, consoleErrors, shot } = session();
    await page.getByRole('button', { name: '+ Custom column' }).click();
    await page.getByLabel('Custom column 1 name').fill('revenue');
    await page.getByLabel('Custom column 1 expression').fill('price * * quantity');
    const problem = page.getByRole('group', { name: 'Custom columns' }).getByRole('alert');
    await expect.poll(() => problem.textContent()).toMatch(/^unexpected "\*" at position 9/);
    expect(await page.getByLabel('Custom column 1 expression').getAttribute('aria-invalid')).toBe('true');
    await shot('explore-custom-column-error');
    await page.getByLabel('Custom column 1 expression').fill('price * quantity');
    await expect.poll(() => problem.count()).toBe(0);
    // The refused formula's 400s, logged by the browser: expected.
    expect(consoleErrors.every((e) => e.includes('status of 400'))).toBe(true);
    consoleErrors.length = 0;

    await page.getByRole('button', { name: '+ Add dimension' }).click();
    await page.getByLabel('Dimension 1', { exact: true }).selectOption('country');
    await page.getByRole('button', { name: '+ Add metric' }).click();
    await page.getByLabel('Metric 1 field').selectOption('revenue');

    const expected = await app.request('POST', '/api/query', {
      source,
      calculations: [{ name: 'revenue', formula: 'price * quantity' }],
      dimensions: ['country'],
      metrics: [{ field: 'revenue', aggregation: 'sum' }],
    });
    expect(expected.status).toBe(200);
    const rows = expected.body.rows as [string, number][];
    expect(rows).toHaveLength(20);
    const chart = page.locator('section.preview[data-state="ready"] .chart[data-rendered="true"]');
    await chart.waitFor();
    expect(await page.getByLabel('Chart type').locator('option').first().textContent()).toBe(
      'Automatic (Bar)',
    );
    const series = async () => JSON.parse((await chart.getAttribute('data-series')) ?? '[]') as DrawnSeries[];
    await expect.poll(async () => (await series())[0]?.data.length).toBe(20);
    const [drawn] = await series();
    expect(drawn.name).toBe('Sum of revenue');
    drawn.data.forEach((value, i) => {
      expect(value).toBeCloseTo(rows[i][1], 6);
    });
    await expect.poll(() => page.getByTestId('row-count').textContent()).toMatch(/^20 rows/);
    await shot('explore-custom-column');
    expect(consoleErrors).toEqual([]);
  });

  it('opens the rows behind a clicked bar', async () => {
    const { app, page, consoleErrors, shot } = session();
    await expect.poll(() => page.evaluate(BAR_PIXEL)).not.toBeNull();
    const pixel = (await page.evaluate(BAR_PIXEL)) as { x: number; y: number };
    await page.mouse.click(pixel.x, pixel.y);
    const dialog = page.getByRole('dialog', { name: 'Underlying rows' });
    await dialog.locator('.drill[data-state="ready"]').waitFor();
    const where = (await dialog.locator('.drill > p.muted').textContent()) ?? '';
    const country = /^Country: (.+)$/.exec(where)?.[1];
    expect(country).toBeDefined();
    const counted = await app.request('POST', '/api/query', {
      source,
      metrics: [{ aggregation: 'count' }],
      filters: { field: 'country', operator: '=', values: [country] },
    });
    const total = counted.body.rows[0][0] as number;
    expect(total).toBeGreaterThan(500);
    await expect
      .poll(() => dialog.getByRole('status').textContent())
      .toBe(`Showing 500 of ${total.toLocaleString('en-US')} rows`);
    const cells = await dialog.locator('tbody tr td:nth-child(2)').allTextContents();
    expect(cells.length).toBeGreaterThan(0);
    expect(new Set(cells)).toEqual(new Set([country]));
    await shot('explore-drill-through');
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(consoleErrors).toEqual([]);
  });

  it('adds a formula metric over the metrics, its mistakes shown on its input', async () => {
    const { app, page, consoleErrors, shot } = session();
    await page.getByRole('button', { name: '+ Add metric' }).click();
    await page.getByLabel('Metric 2 aggregation').selectOption('count');
    await page.getByRole('button', { name: '+ Formula metric' }).click();
    await page.getByLabel('Formula metric 1 name').fill('per_line');
    const formula = page.getByLabel('Formula metric 1 expression');
    await formula.fill('sum_revenue / lines');
    const problem = page.getByRole('group', { name: 'Metrics' }).getByRole('alert');
    await expect.poll(() => problem.textContent()).toBe('unknown metric "lines"');
    await formula.fill('sum_revenue / count');
    await expect.poll(() => problem.count()).toBe(0);
    expect(consoleErrors.every((e) => e.includes('status of 400'))).toBe(true);
    consoleErrors.length = 0;
    await page.getByLabel('Chart type').selectOption('table');
    const table = page.locator('section.preview[data-state="ready"] table');
    await expect
      .poll(() => table.locator('thead th').allTextContents())
      .toEqual(['Country', 'Sum of revenue', 'Count', 'Per line']);
    const expected = await app.request('POST', '/api/query', {
      source,
      calculations: [{ name: 'revenue', formula: 'price * quantity' }],
      dimensions: ['country'],
      metrics: [
        { field: 'revenue', aggregation: 'sum' },
        { aggregation: 'count' },
        { name: 'per_line', formula: 'sum_revenue / count' },
      ],
    });
    const [country, revenue, count, perLine] = expected.body.rows[0] as [string, number, number, number];
    expect(perLine).toBeCloseTo(revenue / count, 9);
    const first = (await table.locator('tbody tr').first().textContent()) ?? '';
    expect(first).toContain(country);
    expect(first).toContain(perLine.toLocaleString('en-US', { maximumFractionDigits: 2 }));
    await shot('explore-formula-metric');
    await page.getByLabel('Chart type').selectOption('');
    expect(consoleErrors).toEqual([]);
  });

  it('opens its SQL, values written in, in the SQL runner', async () => {
    const { page, consoleErrors, shot } = session();
    await page.getByRole('button', { name: '+ Add filter' }).click();
    await page.getByLabel('Filter 1 field').selectOption('country');
    await page.getByLabel('Filter 1 value').fill('Spain');
    await expect.poll(() => page.getByTestId('row-count').textContent()).toMatch(/^1 row /);
    await page.getByRole('button', { name: 'Open in SQL runner' }).click();
    await page.waitForURL(/\/sql$/);
    const editor = page.locator('textarea.sqleditor');
    await expect.poll(() => editor.inputValue()).toContain(`= 'Spain'`);
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByRole('status').filter({ hasText: '1 row' }).waitFor();
    await shot('explore-sql-runner');
    expect(consoleErrors).toEqual([]);
  });
});
