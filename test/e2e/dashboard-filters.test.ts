import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasChromium, useBrowserSession, waitUntil } from './browser.ts';

/**
 * Dashboard filters as an analyst uses them: their state lives in the URL (a reload or a shared
 * link shows the same view), a filter can be switched off for one tile, each widget downloads its
 * own CSV with the filters applied, and the layout editor keeps the charts drawn.
 */
describe.skipIf(!hasChromium)('dashboard filters in the URL, per tile, and widget CSVs', () => {
  const session = useBrowserSession();

  it('keeps filter values across a reload, skips a switched-off tile, downloads a widget CSV', async () => {
    const { app, base, page, consoleErrors, shot, waitForWidgets, signIn } = session();
    const sources = (await app.request('GET', '/api/data-sources')).body.items;
    const source = sources.find((s: { name: string }) => s.name === 'demo_sales').uuid;
    const byCountry = {
      source,
      dimensions: ['country'],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
      sorts: [{ field: 'country' }],
    };
    const created = await app.request('POST', '/api/dashboards', {
      name: 'Filters in the URL',
      widgets: [
        { id: 'by-country', title: 'Units by country', query: byCountry, visualization: { type: 'table' } },
        {
          id: 'total',
          title: 'All units',
          query: { source, metrics: [{ field: 'quantity', aggregation: 'sum' }] },
          visualization: { type: 'kpi' },
        },
        { id: 'chart', title: 'Units chart', query: byCountry, visualization: { type: 'bar' } },
      ],
      filters: [
        { id: 'country', field: 'country', label: 'Country', type: 'values', tileTargets: { total: false } },
        { id: 'when', field: 'date', label: 'When', type: 'date_range' },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    const plain = async (filters?: unknown) =>
      (
        await app.request('POST', '/api/query', {
          source,
          metrics: [{ field: 'quantity', aggregation: 'sum' }],
          ...(filters ? { filters } : {}),
        })
      ).body.rows[0][0] as number;
    const france = await plain({ field: 'country', operator: 'in', values: ['France'] });
    const everything = await plain();

    await signIn();
    await page.goto(`${base}/dashboards/${id}?f.country=France`);
    await waitForWidgets();
    const table = page.locator('[data-widget-id="by-country"] tbody tr');
    expect(await table.count()).toBe(1);
    expect(await table.first().textContent()).toContain('France');
    expect(await table.first().textContent()).toContain(france.toLocaleString('en-US'));
    // The filter is off for the KPI: it shows every country.
    const kpi = page.locator('[data-widget-id="total"]');
    expect(await kpi.textContent()).toContain(everything.toLocaleString('en-US'));

    await page.getByLabel('When', { exact: true }).selectOption({ label: 'Year to date' });
    await waitUntil(page, `location.search.includes('f.when=%40year-to-date')`);
    expect(new URL(page.url()).searchParams.getAll('f.country')).toEqual(['France']);
    await page.reload();
    await waitForWidgets();
    expect(await page.getByLabel('When', { exact: true }).inputValue()).toBe('year-to-date');

    // Each widget downloads its own CSV with the view's filters.
    await page.goto(`${base}/dashboards/${id}?f.country=France`);
    await waitForWidgets();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download Units by country as CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path()) as string, 'utf8')
      .trim()
      .split('\n');
    expect(csv).toHaveLength(2);
    expect(csv[1]).toBe(`France,${france}`);
    // The dashboard toolbar no longer offers a CSV of a whole dashboard (it always failed).
    expect(await page.getByRole('button', { name: 'Export as CSV' }).count()).toBe(0);

    // The layout editor keeps the charts drawn.
    await page.getByRole('button', { name: 'Edit layout' }).click();
    await waitUntil(page, `document.querySelector('.layouteditor .chart canvas') !== null`);
    await shot('dashboard-layout-editor');
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();

    // The settings list each tile's target for a filter.
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Dashboard settings' });
    await dialog.getByText('Per tile (1 changed)').click();
    expect(await dialog.getByLabel('Filter 1 in All units').inputValue()).not.toBe('');
    await dialog.getByLabel('Filter 1 in Units chart').selectOption({ label: 'Off for this tile' });
    await shot('dashboard-filter-tiles');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await dialog.waitFor({ state: 'detached' });
    const stored = (await app.request('GET', `/api/dashboards/${id}`)).body;
    expect(stored.filters[0].tileTargets).toEqual({ total: false, chart: false });
    expect(consoleErrors).toEqual([]);
  });

  it('fits the top bar on a 390 px phone: every section and the user menu are on screen', async () => {
    const { base, page, shot } = session(); // signed in by the test before
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/`);
    const onScreen = async (name: string, role: 'link' | 'button') => {
      const box = await page.getByRole('banner').getByRole(role, { name }).first().boundingBox();
      return box !== null && box.x >= 0 && box.x + box.width <= 390;
    };
    for (const section of ['Dashboards', 'Explore', 'Data', 'Subscriptions', 'SQL', 'Admin'])
      expect(await onScreen(section, 'link'), section).toBe(true);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot('phone-top-bar');
    await page.setViewportSize({ width: 1366, height: 900 });
  });
});
