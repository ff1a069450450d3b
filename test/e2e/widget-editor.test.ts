import { describe, expect, it } from 'vitest';
import { hasChromium, useBrowserSession, waitUntil } from './browser.ts';

/** The widget editor opens a saved widget as it was saved, named columns included. */
describe.skipIf(!hasChromium)('the widget editor in headless Chromium', () => {
  const session = useBrowserSession();

  it('keeps a metric’s column name (alias) that the widget’s sorts and chart options refer to', async () => {
    const { app, base, page, consoleErrors, demoDashboardId, signIn } = session();
    const id = await demoDashboardId();
    const before = (await app.request('GET', `/api/dashboards/${id}`)).body;
    const widget = before.widgets.find((w: { id: string }) => w.id === 'revenue-by-country');
    expect(widget.query.metrics[0].alias).toBe('revenue');

    await signIn();
    await page.goto(`${base}/dashboards/${id}/widgets/revenue-by-country`);
    await waitUntil(page, `document.querySelector('[data-testid="row-count"]') !== null`);
    expect(await page.locator('.previewbody [role="alert"]').count()).toBe(0);
    await page.getByRole('button', { name: 'Save widget' }).click();
    await page.waitForURL(`${base}/dashboards/${id}`);

    const after = (await app.request('GET', `/api/dashboards/${id}`)).body;
    const saved = after.widgets.find((w: { id: string }) => w.id === 'revenue-by-country');
    expect(saved.query.metrics[0]).toMatchObject({
      field: 'line_revenue',
      aggregation: 'sum',
      alias: 'revenue',
    });
    expect(saved.query.sorts).toEqual(widget.query.sorts);
    expect(consoleErrors).toEqual([]);
  });
});
