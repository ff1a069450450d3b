import { describe, expect, it } from 'vitest';
import { hasChromium, useBrowserSession } from './browser.ts';

/** What Chart.tsx reads back from the drawn ECharts option (`data-option`). */
interface DrawnSummary {
  horizontal: boolean;
  categoryLabels?: { count: number; rotate: number; interval: number | string };
  valueAxisLabel?: string;
  tooltipValue?: string;
  dataLabels?: string[];
  goal?: { value: number; label: string };
  colors?: string[];
  legend?: { shown: boolean; hidden: string[] };
}

describe.skipIf(!hasChromium)('the Display settings of a chart in headless Chromium', () => {
  const session = useBrowserSession();

  it('sets currency, a goal line and data labels on a bar chart of the demo data, saved and drawn', async () => {
    const { app, base, page, consoleErrors, shot, signIn, waitForWidgets } = session();
    const sources = await app.request('GET', '/api/data-sources');
    const source = sources.body.items.find((s: { name: string }) => s.name === 'demo_sales').uuid;
    const query = { source, dimensions: ['country'], metrics: [{ field: 'price', aggregation: 'sum' }] };
    const created = await app.request('POST', '/api/dashboards', {
      name: 'Revenue by country',
      widgets: [{ id: 'by-country', title: 'Revenue by country', query, visualization: { type: 'bar' } }],
      // as narrow as the demo's: 20 country names do not fit under vertical bars
      layout: [{ widgetId: 'by-country', x: 0, y: 0, w: 4, h: 10 }],
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    // The expected revenue of each country, from a plain query.
    const plain = await app.request('POST', '/api/query', query);
    expect(plain.status).toBe(200);
    const values = (plain.body.rows as [string, number][]).map(([, revenue]) => revenue);
    expect(values).toHaveLength(20);

    await signIn();
    await page.goto(`${base}/dashboards/${id}/widgets/by-country`);
    const preview = page.locator('section.preview[data-state="ready"] .chart[data-rendered="true"]');
    await preview.waitFor({ timeout: 30_000 });
    const summary = async () =>
      JSON.parse((await preview.getAttribute('data-option')) ?? '{}') as DrawnSummary;

    await page.locator('details.displaysettings > summary').click();
    const display = page.locator('details.displaysettings');
    await display.getByRole('combobox', { name: /^Format/ }).selectOption('currency');
    await display.getByRole('combobox', { name: /^Currency/ }).selectOption('EUR');
    await display.getByRole('combobox', { name: /^Decimals/ }).selectOption('2');
    await display.getByLabel('Show values on the chart').check();
    await display.getByLabel('Goal line').fill('1000000');
    await display.getByLabel('Goal label').fill('Target');
    await expect
      .poll(async () => (await summary()).goal)
      .toEqual({ value: 1000000, label: 'Target: €1,000,000.00' });
    const drawn = await summary();
    expect(drawn.categoryLabels).toMatchObject({ count: 20, interval: 0 });
    const euros = (n: number) =>
      `€${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    // Each bar's label is its country's revenue in euros (the bars in the chart's own order).
    expect([...(drawn.dataLabels ?? [])].sort()).toEqual(values.map(euros).sort());
    expect(values.map(euros)).toContain(drawn.tooltipValue);
    expect(drawn.valueAxisLabel).toMatch(/^€[\d.]+K$/);
    await display.scrollIntoViewIfNeeded();
    await shot('chart-settings-editor');

    await page.getByRole('button', { name: 'Save widget' }).click();
    await page.waitForURL(`${base}/dashboards/${id}`);
    const saved = await app.request('GET', `/api/dashboards/${id}`);
    const options = saved.body.widgets[0].visualization.options;
    expect(options).toMatchObject({
      format: 'currency',
      currency: 'EUR',
      decimals: 2,
      dataLabels: true,
      goal: { value: 1000000, label: 'Target' },
    });

    // The dashboard draws it the same, every country labelled.
    await waitForWidgets();
    const chart = page.locator('[data-widget-id="by-country"] .chart');
    const onDashboard = JSON.parse((await chart.getAttribute('data-option')) ?? '{}') as DrawnSummary;
    expect(onDashboard.goal?.label).toBe('Target: €1,000,000.00');
    expect(onDashboard.horizontal).toBe(true);
    expect(onDashboard.categoryLabels).toEqual({ count: 20, rotate: 0, interval: 0 });
    expect([...(onDashboard.dataLabels ?? [])].sort()).toEqual(values.map(euros).sort());
    await shot('chart-settings-dashboard');
    expect(consoleErrors).toEqual([]);
  });

  it('turns category labels of vertical bars, hides a series, and refuses a bad option', async () => {
    const { app, base, page, consoleErrors, shot } = session();
    const sources = await app.request('GET', '/api/data-sources');
    const source = sources.body.items.find((s: { name: string }) => s.name === 'demo_sales').uuid;
    const query = {
      source,
      dimensions: ['country', 'category'],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
    };
    const bad = await app.request('POST', '/api/dashboards', {
      name: 'Bad decimals',
      widgets: [{ id: 'w', query, visualization: { type: 'bar', options: { decimals: 9 } } }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('widgets[0].visualization.options.decimals');

    const created = await app.request('POST', '/api/dashboards', {
      name: 'Units by country',
      widgets: [
        {
          id: 'units',
          title: 'Units by country',
          query,
          visualization: {
            type: 'stacked_bar',
            options: {
              x: 'country',
              series: 'category',
              horizontal: false,
              goal: { value: 20000, label: 'Goal' },
              hiddenSeries: ['Electronics'],
              legend: 'top',
            },
          },
        },
      ],
      layout: [{ widgetId: 'units', x: 0, y: 0, w: 6, h: 8 }],
    });
    expect(created.status).toBe(201);
    await page.goto(`${base}/dashboards/${created.body.id}`);
    const chart = page.locator('[data-widget-id="units"] .chart[data-rendered="true"]');
    await chart.waitFor();
    const drawn = JSON.parse((await chart.getAttribute('data-option')) ?? '{}') as DrawnSummary;
    expect(drawn.horizontal).toBe(false);
    expect(drawn.categoryLabels?.count).toBe(20);
    expect(drawn.categoryLabels?.interval).toBe(0);
    expect([30, 45, 90]).toContain(drawn.categoryLabels?.rotate);
    expect(drawn.legend).toEqual({ shown: true, hidden: ['Electronics'] });
    expect(new Set(drawn.colors).size).toBe(drawn.colors?.length);
    await shot('chart-settings-rotated-goal');
    expect(consoleErrors).toEqual([]);
  });
});
