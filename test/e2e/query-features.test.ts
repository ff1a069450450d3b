import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, useBrowserSession } from './browser.ts';

interface DrawnSeries {
  name: string;
  data: (number | null)[];
}

/** `1,234.5` or `12.3%` as drawn in a table cell → the number (a percent as its 0–1 ratio). */
const cellNumber = (text: string) => {
  const value = Number(text.replace(/[^0-9.-]/g, ''));
  return text.includes('%') ? value / 100 : value;
};

/** How far a cell's number may be from the exact value: half a unit of its last shown digit. */
const shownPrecision = (text: string) => {
  const decimals = /\.(\d+)/.exec(text)?.[1].length ?? 0;
  return (0.5 * 10 ** -decimals) / (text.includes('%') ? 100 : 1) + 1e-12;
};

/**
 * The query builder's calculations, options and saved bodies, in Explore and the widget editor,
 * checked against plain `POST /api/query` answers computed in the test.
 */
/** The preview's state once its query answered: `ready`, or `error` with the server's message shown. */
async function settled(page: Page): Promise<string | null> {
  await page.locator('section.preview:is([data-state="ready"], [data-state="error"])').waitFor();
  const state = await page.locator('section.preview').getAttribute('data-state');
  return state === 'error'
    ? `error: ${await page.locator('.previewbody [role="alert"]').textContent()}`
    : state;
}

describe.skipIf(!hasChromium)('query features in the builder, in headless Chromium', () => {
  const session = useBrowserSession();
  let source: string;
  beforeAll(async () => {
    const sources = await session().app.request('GET', '/api/data-sources');
    source = sources.body.items.find((s: { name: string }) => s.name === 'demo_sales').uuid;
    await session().signIn();
  });

  it('draws a running total and a percent of total by month, as computed from a plain query', async () => {
    const { app, base, page, consoleErrors, shot } = session();
    await page.goto(`${base}/explore?source=${source}`);
    await page.locator('section.preview[data-state="ready"] table').waitFor();

    await page.getByRole('button', { name: '+ Add dimension' }).click();
    await page.getByLabel('Dimension 1', { exact: true }).selectOption('date');
    expect(await page.getByLabel('Dimension 1 granularity').inputValue()).toBe('month');
    await page.getByRole('button', { name: '+ Add metric' }).click();
    await page.getByLabel('Metric 1 field').selectOption('quantity');
    await page.locator('summary', { hasText: 'Calculations' }).click();
    await page.getByRole('button', { name: '+ Calculation' }).click();
    expect(await page.getByLabel('Calculation 1 type').inputValue()).toBe('running_total');
    expect(await page.getByLabel('Calculation 1 of').inputValue()).toBe('sum_quantity');
    await page.getByRole('button', { name: '+ Calculation' }).click();
    await page.getByLabel('Calculation 2 type').selectOption('percent_of_total');

    const plain = await app.request('POST', '/api/query', {
      source,
      dimensions: [{ field: 'date', granularity: 'month' }],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
    });
    expect(plain.status).toBe(200);
    const months = plain.body.rows as [string, number][];
    expect(months.length).toBeGreaterThan(12);
    const total = months.reduce((sum, [, quantity]) => sum + quantity, 0);
    let running = 0;
    const expected = months.map(([month, quantity]) => {
      running += quantity;
      return { month, quantity, running, share: quantity / total };
    });

    const chart = page.locator('section.preview[data-state="ready"] .chart[data-rendered="true"]');
    const series = async () => JSON.parse((await chart.getAttribute('data-series')) ?? '[]') as DrawnSeries[];
    await expect.poll(async () => (await series()).length).toBe(3);
    const [quantities, runningTotals, shares] = await series();
    expect(quantities.data).toEqual(expected.map((e) => e.quantity));
    expect(runningTotals.data).toEqual(expected.map((e) => e.running));
    shares.data.forEach((share, i) => {
      expect(share).toBeCloseTo(expected[i].share, 12);
    });
    await shot('query-features-running-total-chart');

    await page.getByLabel('Chart type').selectOption('table');
    const table = page.locator('section.preview[data-state="ready"] table');
    const rows = table.locator('tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    // Every page of the table, as drawn.
    const drawn: string[][] = [];
    for (;;) {
      drawn.push(
        ...(await rows.evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
        )),
      );
      const next = page.getByRole('button', { name: 'Next page' });
      if ((await next.count()) === 0 || (await next.isDisabled())) break;
      await next.click();
    }
    expect(drawn).toHaveLength(expected.length);
    drawn.forEach(([month, quantity, runningTotal, share], i) => {
      expect(month).toBe(expected[i].month.slice(0, 10));
      expect(cellNumber(quantity)).toBe(expected[i].quantity);
      expect(cellNumber(runningTotal)).toBe(expected[i].running);
      expect(share).toMatch(/%$/);
      expect(Math.abs(cellNumber(share) - expected[i].share)).toBeLessThanOrEqual(shownPrecision(share));
    });
    await shot('query-features-running-total-table');
    expect(consoleErrors).toEqual([]);
  });

  it('builds percentiles, filtered metrics, ranges, top N with Others, totals and a pivot from the options', async () => {
    const { base, page, consoleErrors, shot } = session();
    const sent: Record<string, unknown>[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/query'))
        sent.push(request.postDataJSON());
    });
    await page.goto(`${base}/explore?source=${source}`);
    await page.locator('section.preview[data-state="ready"] table').waitFor();

    await page.getByRole('button', { name: '+ Add dimension' }).click();
    await page.getByLabel('Dimension 1', { exact: true }).selectOption('country');
    await page.getByRole('button', { name: '+ Add dimension' }).click();
    await page.getByLabel('Dimension 2', { exact: true }).selectOption('price');
    await page.getByLabel('Dimension 2 grouping').selectOption('ranges');
    await page.getByLabel('Dimension 2 range 1 to').fill('50');
    await page.getByLabel('Dimension 2 range 1 label').fill('cheap');
    await page.getByRole('button', { name: '+ Range' }).click();
    expect(await page.getByLabel('Dimension 2 range 2 from').inputValue()).toBe('50');
    await page.getByLabel('Dimension 2 range 2 to').fill('200');
    await page.getByRole('button', { name: '+ Range' }).click();
    await page.getByLabel('Dimension 2 range 3 label').fill('premium');

    await page.getByRole('button', { name: '+ Add metric' }).click();
    await page.getByLabel('Metric 1 field').selectOption('quantity');
    await page.getByRole('button', { name: '+ Add metric' }).click();
    await page.getByLabel('Metric 2 aggregation').selectOption('percentile');
    await page.getByLabel('Metric 2 field').selectOption('price');
    expect(await page.getByLabel('Metric 2 percentile').inputValue()).toBe('90');
    await page.getByRole('button', { name: '+ Add metric' }).click();
    await page.getByLabel('Metric 3 field').selectOption('quantity');
    await page.getByRole('button', { name: 'Filter metric 3' }).click();
    await page.getByLabel('Metric 3 rule 1 field').selectOption('category');
    await page.getByLabel('Metric 3 rule 1 values').fill('Electronics');
    await page.getByLabel('Metric 3 name').fill('electronics_quantity');

    await page.locator('summary', { hasText: 'Top N, totals, pivot' }).click();
    await page.getByLabel('Keep only the top values').check();
    await page.getByLabel('Top N count').fill('5');
    await page.getByLabel('Totals row').check();
    await page.getByLabel('Time zone').fill('Europe/Paris');
    await page.getByLabel('Weeks start on').selectOption({ label: 'Sunday' });

    const expected = {
      source,
      dimensions: [
        'country',
        // Each range starts where the one before stops.
        {
          field: 'price',
          bin: {
            ranges: [
              { to: 50, label: 'cheap' },
              { from: 50, to: 200 },
              { from: 200, label: 'premium' },
            ],
          },
        },
      ],
      metrics: [
        { field: 'quantity', aggregation: 'sum' },
        { field: 'price', aggregation: 'percentile', percentile: 0.9, alias: 'p90_price' },
        {
          field: 'quantity',
          aggregation: 'sum',
          alias: 'electronics_quantity',
          filters: { and: [{ field: 'category', operator: '=', values: ['Electronics'] }] },
        },
      ],
      top: { dimension: 'country', by: 'sum_quantity', n: 5, others: true },
      totals: true,
      timezone: 'Europe/Paris',
      weekStart: 7,
      limit: 500,
      count: true,
    };
    await expect.poll(() => sent.at(-1)).toEqual(expected);
    expect(await settled(page)).toBe('ready');
    await shot('query-features-top-n');

    // The price ranges across, the countries down.
    await page.getByLabel('Keep only the top values').uncheck();
    await page.getByLabel('Pivot: spread a dimension into columns').check();
    const { top: _top, ...pivoted } = expected;
    await expect.poll(() => sent.at(-1)).toEqual({ ...pivoted, pivot: { columns: ['price'] } });
    expect(await settled(page)).toBe('ready');
    await shot('query-features-pivot');
    expect(consoleErrors).toEqual([]);
  });

  it('opens a widget saved with every option in the widget editor and saves it back unchanged', async () => {
    const { app, base, page, consoleErrors, shot } = session();
    const query = {
      source,
      calculations: [{ name: 'revenue', formula: 'price * quantity' }],
      dimensions: [{ field: 'date', granularity: 'quarter' }, 'country'],
      metrics: [
        { field: 'quantity', aggregation: 'sum' },
        { field: 'price', aggregation: 'percentile', percentile: 0.9, alias: 'p90_price' },
        { field: 'price', aggregation: 'median' },
        { field: 'revenue', aggregation: 'stddev' },
        {
          field: 'quantity',
          aggregation: 'sum',
          alias: 'fr_quantity',
          filters: { and: [{ field: 'country', operator: '=', values: ['France'] }] },
        },
      ],
      // The `or` has no row in the editor: it is listed, and kept as it is.
      filters: {
        and: [
          { field: 'category', operator: '!=', values: ['Furniture'] },
          {
            or: [
              { field: 'country', operator: 'starts with', values: ['F'] },
              { not: { field: 'country', operator: '=', values: ['Spain'] } },
            ],
          },
        ],
      },
      post: [
        {
          id: 'running_total_sum_quantity',
          type: 'running_total',
          of: 'sum_quantity',
          partitionBy: ['country'],
        },
        { id: 'percent_change_sum_quantity', type: 'percent_change', of: 'sum_quantity' },
        { id: 'rank_sum_quantity', type: 'rank', of: 'sum_quantity', ascending: true },
      ],
      postFilters: { and: [{ field: 'rank_sum_quantity', operator: '<=', values: [500] }] },
      top: { dimension: 'country', by: 'sum_quantity', n: 5, others: true },
      timezone: 'Europe/Paris',
      weekStart: 7,
      sorts: [
        { field: 'date_quarter', descending: false },
        { field: 'country', descending: false },
      ],
      limit: 300,
    };
    const dashboard = await app.request('POST', '/api/dashboards', { name: 'Query features' });
    expect(dashboard.status).toBe(201);
    const id = dashboard.body.id as number;
    const widget = await app.request('POST', `/api/dashboards/${id}/widgets`, {
      title: 'Everything',
      query,
      visualization: { type: 'table', options: {} },
    });
    expect(widget.status).toBe(201);

    await page.goto(`${base}/dashboards/${id}/widgets/${widget.body.id}`);
    expect(await settled(page)).toBe('ready');
    // The sections the query uses are open, with what it holds.
    expect(await page.getByLabel('Calculation 3 type').inputValue()).toBe('rank');
    expect(await page.getByLabel('Calculation 1 within').inputValue()).toBe('["country"]');
    expect(await page.getByLabel('Metric 2 percentile').inputValue()).toBe('90');
    expect(await page.getByLabel('Metric 5 name').inputValue()).toBe('fr_quantity');
    expect(await page.getByLabel('Top N count').inputValue()).toBe('5');
    expect(await page.getByLabel('Filter 2 field').inputValue()).toBe('rank_sum_quantity');
    await expect
      .poll(() => page.locator('.keptfilter span').textContent())
      .toBe('country starts with F or (not country = Spain)');
    await shot('query-features-widget-editor');
    await page.getByRole('button', { name: 'Save widget' }).click();
    await page.waitForURL(`${base}/dashboards/${id}`);

    const saved = (await app.request('GET', `/api/dashboards/${id}`)).body.widgets[0];
    expect(saved.query).toEqual(query);
    expect(consoleErrors).toEqual([]);
  });
});
