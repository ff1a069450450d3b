import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, hasChromium, openBrowserSession } from './browser.ts';

describe.skipIf(!hasChromium)('embed view in headless Chromium', () => {
  let session: BrowserSession;
  let app: BrowserSession['app'];
  let page: BrowserSession['page'];
  let consoleErrors: string[];
  let dashboardId: number;
  // biome-ignore lint/suspicious/noExplicitAny: the widget query is sent back as the API gave it
  let kpiQuery: any;

  beforeAll(async () => {
    session = await openBrowserSession();
    ({ app, page, consoleErrors } = session);
    dashboardId = await session.demoDashboardId();
    const dashboard = await app.request('GET', `/api/dashboards/${dashboardId}`);
    kpiQuery = dashboard.body.widgets.find((w: { id: string }) => w.id === 'units-sold').query;
    // Embeds are viewers: they see the rows of the countries their token's variables name.
    const sources = await app.request('GET', '/api/data-sources');
    const demo = sources.body.items.find((s: { name: string }) => s.name === 'demo_sales');
    await app.request('PATCH', `/api/data-sources/${demo.id}`, {
      policies: [{ field: 'country', attribute: 'country' }],
    });
  }, 240_000);

  afterAll(async () => {
    await session?.close();
  });

  const createEmbed = async (body: unknown): Promise<string> => {
    const created = await app.request('POST', `/api/dashboards/${dashboardId}/embeds`, body);
    expect(created.status).toBe(201);
    return created.body.token;
  };
  const unitsSold = async (countries: string[]): Promise<number> =>
    (
      await app.request('POST', '/api/query', {
        ...kpiQuery,
        filters: { field: 'country', operator: 'in', values: countries },
      })
    ).body.rows[0][0];
  const digits = (text: string | null) => Number((text ?? '').replace(/\D/g, ''));
  /**
   * The console errors, less the one line the browser itself logs for the refused open call
   * (the page expects that answer and shows its message); consumed, so the next test starts clean.
   */
  const unexpectedErrors = (status: number): string[] => {
    const refusal = consoleErrors.findIndex((line) =>
      line.includes(`Failed to load resource: the server responded with a status of ${status}`),
    );
    const others = consoleErrors.filter((_, i) => i !== refusal);
    consoleErrors.length = 0;
    return others;
  };

  it('shows the dashboard without signing in, restricted to the token variables, without chrome', async () => {
    const token = await createEmbed({
      expiresInSeconds: 600,
      maxUses: 1,
      variables: { country: ['France', 'Spain'] },
    });
    // A signed-in session in the same browser is neither used nor cleared by the embed.
    await page.goto(`${session.base}/login`);
    await page.evaluate("localStorage.setItem('rosetta.token', 'rss_someone-else')");

    await page.goto(`${session.base}/embed/${token}`);
    await session.waitForWidgets();
    expect(await page.locator('[data-widget-id]').count()).toBe(6);
    expect(await page.locator('[data-widget-id] canvas').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('header.topbar, nav').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Edit|Delete|Export|Add widget/ }).count()).toBe(0);
    const kpi = page.locator('[data-widget-id="units-sold"] [data-testid="kpi-value"]');
    expect(digits(await kpi.textContent())).toBe(await unitsSold(['France', 'Spain']));
    await session.shot('embed');

    // The dashboard filter works, and offers only the countries the token may see.
    await page.getByRole('button', { name: /Country/ }).click();
    const choices = page.getByRole('group', { name: 'Country' }).getByRole('checkbox');
    await choices.first().waitFor();
    expect(await choices.count()).toBe(2);
    expect(await page.getByRole('checkbox', { name: 'Spain' }).count()).toBe(1);
    await page.getByRole('checkbox', { name: 'France' }).check();
    await page.getByRole('button', { name: 'Done' }).click();
    const france = await unitsSold(['France']);
    await expect.poll(async () => digits(await kpi.textContent())).toBe(france);
    await session.waitForWidgets();
    expect(await page.evaluate("localStorage.getItem('rosetta.token')")).toBe('rss_someone-else');

    // maxUses 1: opening the URL again is refused with a message.
    await page.reload();
    await page.getByRole('alert').filter({ hasText: 'opened as many times as allowed' }).waitFor();
    expect(unexpectedErrors(403)).toEqual([]);
  });

  it('shows a message for an expired token', async () => {
    const token = await createEmbed({ expiresInSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await page.goto(`${session.base}/embed/${token}`);
    const message = page.getByRole('alert');
    await message.filter({ hasText: 'This embed URL has expired.' }).waitFor();
    expect(await message.getByRole('heading').textContent()).toBe('This dashboard is not available');
    expect(await page.locator('[data-widget-id], header.topbar').count()).toBe(0);
    await session.shot('embed-expired');
    expect(unexpectedErrors(403)).toEqual([]);
  });
});
