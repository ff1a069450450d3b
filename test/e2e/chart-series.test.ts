import { describe, expect, it } from 'vitest';
import { hasChromium, useBrowserSession } from './browser.ts';

interface DrawnSeries {
  name: string;
  data: (number | null)[];
}

describe.skipIf(!hasChromium)('charts draw the series of their result in headless Chromium', () => {
  const session = useBrowserSession();
  let dashboardId: number;
  let query: Record<string, unknown>;

  it('draws one line per country of a two-dimension line chart, with the API numbers', async () => {
    const { app, base, page, consoleErrors, shot, waitForWidgets, signIn } = session();
    const sources = await app.request('GET', '/api/data-sources');
    const source = sources.body.items.find((s: { name: string }) => s.name === 'demo_sales').uuid;
    query = {
      source,
      dimensions: [{ field: 'date', granularity: 'quarter' }, 'country'],
      metrics: [{ field: 'price', aggregation: 'sum' }],
    };
    const created = await app.request('POST', '/api/dashboards', {
      name: 'Revenue by quarter and country',
      widgets: [
        {
          id: 'by-quarter',
          title: 'Revenue by quarter',
          query,
          visualization: { type: 'line', options: {} },
        },
      ],
      layout: [{ widgetId: 'by-quarter', x: 0, y: 0, w: 12, h: 8 }],
    });
    expect(created.status).toBe(201);
    dashboardId = created.body.id;

    // The expected lines, from a plain query: per country, its value in each quarter in time order.
    const plain = await app.request('POST', '/api/query', query);
    expect(plain.status).toBe(200);
    const rows = plain.body.rows as [string, string, number][];
    const quarters = [...new Set(rows.map(([quarter]) => quarter))].sort();
    const countries = [...new Set(rows.map(([, country]) => country))];
    expect(quarters).toHaveLength(12);
    expect(countries).toHaveLength(20);
    const revenueIn = (quarter: string, country: string) =>
      rows.find(([q, c]) => q === quarter && c === country)?.[2] ?? null;

    await signIn();
    await page.goto(`${base}/dashboards/${dashboardId}`);
    await waitForWidgets();
    const chart = page.locator('[data-widget-id="by-quarter"] .chart');
    const drawn = JSON.parse((await chart.getAttribute('data-series')) ?? '[]') as DrawnSeries[];
    expect(drawn.map((s) => s.name).sort()).toEqual([...countries].sort());
    for (const series of drawn) {
      expect(series.data).toEqual(quarters.map((quarter) => revenueIn(quarter, series.name)));
    }
    // Nothing was left out, so the chart has nothing to explain.
    expect(await chart.getAttribute('aria-label')).toBe('Revenue by quarter');

    // The tooltip reads quarters and rounded, separated numbers (no float noise).
    const box = await chart.boundingBox();
    if (!box) throw new Error('the chart has no box');
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.4);
    // ECharts' tooltip box, on the page's body so the widget's card does not clip it
    const tooltip = page.locator('body > div', { hasText: /^Q\d 20\d\d/ }).filter({ hasText: countries[0] });
    await tooltip.waitFor();
    const text = (await tooltip.textContent()) ?? '';
    expect(text).toMatch(/^Q\d 20\d\d/);
    expect(text).toContain(countries[0]);
    expect(text).toMatch(/\d{1,3},\d{3}(\.\d{1,2})?/);
    expect(text).not.toMatch(/\d\.\d{3}/);
    await shot('chart-two-dimensions');
    expect(consoleErrors).toEqual([]);
  });

  it('lets the editor choose the x axis, the split and the metrics', async () => {
    const { app, base, page, consoleErrors, shot } = session();
    await page.goto(`${base}/dashboards/${dashboardId}/widgets/by-quarter`);
    const preview = page.locator('section.preview[data-state="ready"] .chart[data-rendered="true"]');
    await preview.waitFor();
    const axes = page.getByRole('group', { name: 'Chart axes' });
    const x = axes.getByLabel('X axis');
    expect(await x.inputValue()).toBe('');
    expect(await x.locator('option').allTextContents()).toEqual([
      'Automatic',
      'Date (quarter)',
      'Country',
      'Sum of price',
    ]);
    expect(await axes.getByLabel('Series (split by)').locator('option').allTextContents()).toEqual([
      'Automatic',
      'Date (quarter)',
      'Country',
    ]);
    const metrics = axes.getByRole('group', { name: 'Y axis (metrics)' });
    expect(await metrics.getByRole('checkbox').count()).toBe(1);

    await x.selectOption('country');
    const byQuarterSeries = async () => {
      const drawn = JSON.parse((await preview.getAttribute('data-series')) ?? '[]') as DrawnSeries[];
      return drawn.map((s) => s.name);
    };
    await expect.poll(byQuarterSeries).toHaveLength(12);
    expect((await byQuarterSeries())[0]).toBe('Q1 2023');
    await metrics.getByRole('checkbox', { name: 'Sum of price' }).check();
    await shot('chart-axes-editor');
    await page.getByRole('button', { name: 'Save widget' }).click();
    await page.waitForURL(`${base}/dashboards/${dashboardId}`);
    const saved = await app.request('GET', `/api/dashboards/${dashboardId}`);
    expect(saved.body.widgets[0].visualization).toEqual({
      type: 'line',
      options: { x: 'country', y: ['sum_price'] },
    });
    expect(saved.body.widgets[0].query).toMatchObject(query);

    // Back to automatic: the options are unset again.
    await page.goto(`${base}/dashboards/${dashboardId}/widgets/by-quarter`);
    await preview.waitFor();
    await axes.getByLabel('X axis').selectOption('');
    await metrics.getByRole('checkbox', { name: 'Sum of price' }).uncheck();
    await page.getByRole('button', { name: 'Save widget' }).click();
    await page.waitForURL(`${base}/dashboards/${dashboardId}`);
    const reset = await app.request('GET', `/api/dashboards/${dashboardId}`);
    expect(reset.body.widgets[0].visualization).toEqual({ type: 'line', options: {} });
    expect(consoleErrors).toEqual([]);
  });
});
