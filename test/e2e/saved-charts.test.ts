import { describe, expect, it } from 'vitest';
import { hasChromium, useBrowserSession } from './browser.ts';
import { digits } from './country-variable.ts';

/*
 * Saved charts in headless Chromium: a chart saved from Explore onto a dashboard, added from its
 * page to a second (new) dashboard, edited once in the query editor; both dashboards then show
 * the edited numbers, which an ad-hoc API query of the same body gives.
 */
describe.skipIf(!hasChromium)('saved charts in headless Chromium', () => {
  const session = useBrowserSession();

  it('saves a chart from Explore onto two dashboards, and an edit of the chart shows on both', async () => {
    const { app, base, page, consoleErrors, shot, signIn, demoDashboardId } = session();
    const demoId = await demoDashboardId();
    const source = (await app.request('GET', '/api/data-sources')).body.items[0].uuid;
    const units = async (filters?: unknown) => {
      const body = {
        source,
        metrics: [{ field: 'quantity', aggregation: 'sum' }],
        ...(filters ? { filters } : {}),
      };
      return String((await app.request('POST', '/api/query', body)).body.rows[0][0]);
    };
    const tileOf = async (dashboardId: number) => {
      const dashboard = (await app.request('GET', `/api/dashboards/${dashboardId}`)).body;
      const tile = dashboard.widgets.find((w: { chartId?: string }) => w.chartId);
      return page.locator(`[data-widget-id="${tile.id}"]`).getByTestId('kpi-value');
    };
    const showsOn = async (dashboardId: number, expected: string) => {
      await page.goto(`${base}/dashboards/${dashboardId}`);
      const value = await tileOf(dashboardId);
      await expect.poll(async () => digits(await value.textContent())).toBe(expected);
    };

    await signIn();
    await page.goto(`${base}/explore`);
    await page.getByRole('heading', { name: 'Explore' }).waitFor();
    await page.getByLabel('Chart type').selectOption('kpi');
    await page.getByRole('button', { name: '+ Add metric' }).click();
    await page.getByLabel('Metric 1 field').selectOption('quantity');
    await page.getByLabel('Widget title').fill('Units (saved chart)');
    const total = await units();
    await expect
      .poll(async () =>
        digits(await page.getByRole('region', { name: 'Preview' }).getByTestId('kpi-value').textContent()),
      )
      .toBe(total);

    // Save chart to dashboard: a chart, and a tile on Demo sales showing it.
    await page.getByRole('button', { name: 'Save chart to dashboard' }).click();
    const saveDialog = page.getByRole('form', { name: 'Save chart to a dashboard' });
    expect(await saveDialog.getByLabel('Chart name').inputValue()).toBe('Units (saved chart)');
    await saveDialog.getByRole('combobox', { name: /^Dashboard/ }).selectOption({ label: 'Demo sales' });
    await shot('explore-save-chart');
    await saveDialog.getByRole('button', { name: 'Save and add' }).click();
    await page.waitForURL(`${base}/dashboards/${demoId}`);
    const [chart] = (await app.request('GET', '/api/charts')).body.items;
    expect(chart).toMatchObject({ name: 'Units (saved chart)', visualizationType: 'kpi', version: 1 });
    await expect.poll(async () => digits(await (await tileOf(demoId)).textContent())).toBe(total);

    await shot('dashboard-chart-tile');
    // The tile opens its chart; the chart page adds it to a new dashboard.
    await page.getByRole('button', { name: 'Open chart Units (saved chart)' }).click();
    await page.waitForURL(`${base}/charts/${chart.uuid}`);
    await page.getByRole('heading', { name: 'Units (saved chart)', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Add to dashboard' }).click();
    const addDialog = page.getByRole('form', { name: 'Add “Units (saved chart)” to a dashboard' });
    await addDialog.getByRole('combobox', { name: /^Dashboard/ }).selectOption({ label: 'New dashboard…' });
    await addDialog.getByLabel('New dashboard name').fill('Second board');
    await addDialog.getByRole('button', { name: 'Add to dashboard' }).click();
    await page.waitForURL(/\/dashboards\/\d+$/);
    const secondId = Number(page.url().split('/').pop());
    expect(secondId).not.toBe(demoId);
    await expect.poll(async () => digits(await (await tileOf(secondId)).textContent())).toBe(total);

    // Edit the chart once: only France.
    await page.goto(`${base}/charts/${chart.id}`);
    const onDashboards = page.getByRole('region', { name: 'Dashboards showing this chart' });
    await expect
      .poll(() => onDashboards.getByRole('link').allTextContents())
      .toEqual(['Demo sales', 'Second board']);
    await page
      .getByRole('region', { name: 'Chart' })
      .getByTestId('kpi-value')
      .filter({ hasText: /\d/ })
      .waitFor();
    await shot('chart-page');
    await page.getByRole('button', { name: 'Edit query' }).click();
    await page.getByRole('heading', { name: 'Edit chart' }).waitFor();
    await expect.poll(() => page.getByLabel('Metric 1 field').inputValue()).toBe('quantity');
    await page.getByRole('button', { name: '+ Add filter' }).click();
    await page.getByLabel('Filter 1 field').selectOption('country');
    await page.getByLabel('Filter 1 values').fill('France');
    const france = await units({ and: [{ field: 'country', operator: '=', values: ['France'] }] });
    expect(france).not.toBe(total);
    await expect
      .poll(async () =>
        digits(await page.getByRole('region', { name: 'Preview' }).getByTestId('kpi-value').textContent()),
      )
      .toBe(france);
    await page.getByRole('button', { name: 'Save chart' }).click();
    await page.waitForURL(`${base}/charts/${chart.id}`);
    await page.getByRole('region', { name: 'Version history' }).getByText('v2').waitFor();
    expect((await app.request('GET', `/api/charts/${chart.id}`)).body.version).toBe(2);

    for (const id of [demoId, secondId]) await showsOn(id, france);

    await page.goto(`${base}/`);
    await page
      .getByRole('region', { name: 'Charts' })
      .getByRole('link', { name: 'Units (saved chart)' })
      .waitFor();
    await shot('home-charts');
    expect(consoleErrors).toEqual([]);
  });
});
