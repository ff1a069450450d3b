import { describe, expect, it } from 'vitest';
import { hasChromium, useBrowserSession } from './browser.ts';

describe.skipIf(!hasChromium)('a viewer and the audit log in headless Chromium', () => {
  const session = useBrowserSession();

  it("shows a viewer the dashboard's data without any ad-hoc query, and no Explore", async () => {
    const { app, base, page, consoleErrors, shot, demoDashboardId, waitForWidgets } = session();
    const email = 'reader@example.com';
    const password = 'reader password 1';
    expect((await app.request('POST', '/api/users', { email, role: 'viewer', password })).status).toBe(201);
    const adhoc: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/query')) adhoc.push(request.url());
    });
    await page.goto(`${base}/`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Demo sales' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Dashboards']);

    await page.goto(`${base}/dashboards/${await demoDashboardId()}`);
    await waitForWidgets();
    const kpi = page.locator('[data-widget-id="units-sold"] [data-testid="kpi-value"]');
    const all = (
      await app.request('POST', '/api/query', {
        source: await demoSource(),
        metrics: [{ field: 'quantity', aggregation: 'sum' }],
      })
    ).body.rows[0][0];
    expect(Number((await kpi.textContent())?.replace(/[^\d]/g, ''))).toBe(all);
    // The filter's choices come from the dashboard, as the viewer may see them.
    await page.getByRole('button', { name: /Country/ }).click();
    await page.getByRole('checkbox', { name: 'France' }).check();
    await page.getByRole('button', { name: 'Done' }).click();
    await expect.poll(async () => kpi.textContent()).not.toBe(String(all));
    await waitForWidgets();
    await shot('viewer-dashboard');
    expect(adhoc).toEqual([]);
    expect(consoleErrors).toEqual([]);

    async function demoSource(): Promise<string> {
      return (await app.request('GET', '/api/data-sources')).body.items[0].uuid;
    }
  });

  it('lists sign-ins and credential changes in Admin → Audit log, filtered by family', async () => {
    const { base, page, consoleErrors, shot, signIn } = session();
    await page.evaluate('localStorage.clear()');
    await signIn();
    await page.goto(`${base}/admin?tab=audit`);
    const table = page.locator('table.audit');
    await table.waitFor();
    await expect.poll(() => table.locator('tbody tr').count()).toBeGreaterThan(1);
    await page.getByLabel('Events').selectOption({ label: 'Sign-ins' });
    await expect
      .poll(async () => new Set(await table.locator('tbody td:nth-child(2)').allTextContents()))
      .toEqual(new Set(['auth.login']));
    expect(await table.locator('tbody tr').first().textContent()).toContain('admin@example.com');
    await shot('audit-log');
    expect(consoleErrors).toEqual([]);
  });
});
