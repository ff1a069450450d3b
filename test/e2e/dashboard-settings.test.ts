import { describe, expect, it } from 'vitest';
import { hasChromium, useBrowserSession } from './browser.ts';

/** Header HTML with the usual ways in: a script, event handlers, javascript: URLs and CSS urls. */
const HOSTILE_HEADER = [
  '<b>Q3</b> review',
  '<script>window.__pwned = 1</script>',
  '<img src=x onerror="window.__pwned = 2">',
  '<a href="javascript:window.__pwned = 3">bad link</a>',
  '<a href="https://example.com/report" onclick="window.__pwned = 4">report</a>',
  '<div style="background: url(javascript:window.__pwned = 5)">styled</div>',
  '<svg onload="window.__pwned = 6"><circle r="4"></circle></svg>',
  '<iframe src="https://example.com"></iframe>',
].join('\n');
/** The toolbar buttons are inside the dashboard, the user menu button is not. */
const CUSTOM_CSS =
  '@import url("https://example.com/x.css");\nbutton { color: rgb(1, 2, 3); }\nbody b { color: rgb(200, 0, 0); }';

describe.skipIf(!hasChromium)('dashboard settings, sharing and favourites in headless Chromium', () => {
  const session = useBrowserSession();

  it('saves a sanitized header, scoped CSS and a new filter; shows the API’s refusal in the form', async () => {
    const { app, base, page, consoleErrors, shot, waitForWidgets, demoDashboardId, signIn } = session();
    const id = await demoDashboardId();
    await signIn();
    await page.goto(`${base}/dashboards/${id}`);
    await waitForWidgets();

    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Dashboard settings' });
    await dialog.getByRole('textbox', { name: 'Header HTML' }).fill(HOSTILE_HEADER);
    await dialog.getByRole('textbox', { name: 'Custom CSS' }).fill(CUSTOM_CSS);
    await dialog.getByRole('button', { name: '+ Add variable' }).click();
    await dialog.getByLabel('Variable 1 name').fill('1st');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('variables[0].name');
    consoleErrors.length = 0; // the browser logs the expected 400
    await dialog.getByLabel('Variable 1 name').fill('currency');
    await dialog.getByLabel('Variable 1 default').fill('EUR');

    await dialog.getByRole('button', { name: '+ Add filter' }).click();
    await dialog.getByLabel('Filter 3 field').selectOption('category');
    await dialog.getByLabel('Filter 3 label').fill('Product category');
    await dialog.getByLabel('Move Filter 3 up').click();
    await expect.poll(() => dialog.getByLabel('Filter 2 label').inputValue()).toBe('Product category');
    await shot('dashboard-settings');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await dialog.waitFor({ state: 'detached' });
    // The page shows the saved settings at once, before any reload.
    await page.getByTestId('dashboard-header').getByText('Q3').waitFor();
    await page.getByRole('group', { name: 'Dashboard filters' }).getByText('Product category').waitFor();

    const stored = (await app.request('GET', `/api/dashboards/${id}`)).body;
    expect(stored.filters.map((f: { label: string }) => f.label)).toEqual([
      'Date',
      'Product category',
      'Country',
    ]);
    expect(stored.variables).toEqual([{ name: 'currency', type: 'string', default: 'EUR' }]);
    expect(stored.headerHtml).toBe(HOSTILE_HEADER);

    await page.reload();
    await waitForWidgets();
    const header = page.getByTestId('dashboard-header');
    await expect.poll(() => header.locator('b').textContent()).toBe('Q3');
    const inspected = await header.evaluate((root) => ({
      dangerous: root.querySelectorAll('script, iframe, svg, img, [style*="javascript"]').length,
      handlers: [...root.querySelectorAll('*')].flatMap((e) =>
        e.getAttributeNames().filter((name: string) => name.startsWith('on')),
      ),
      links: [...root.querySelectorAll('a')].map((a) => a.getAttribute('href')),
      pwned: (globalThis as { __pwned?: number }).__pwned ?? null,
    }));
    expect(inspected).toEqual({
      dangerous: 0,
      handlers: [],
      links: [null, 'https://example.com/report'],
      pwned: null,
    });

    const colour = (selector: string) =>
      page
        .locator(selector)
        .first()
        .evaluate(
          (e) =>
            (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(e)
              .color,
        );
    expect(await colour('[data-testid="dashboard-header"] b')).toBe('rgb(200, 0, 0)');
    expect(await colour('.dashboard .toolbar button')).toBe('rgb(1, 2, 3)');
    expect(await colour('.userbutton')).not.toBe('rgb(1, 2, 3)');
    expect(await page.getByTestId('dashboard-style').textContent()).not.toContain('@import');

    const filterBar = page.getByRole('group', { name: 'Dashboard filters' });
    await filterBar.getByText('Product category').waitFor();
    // Chromium checks the Content-Security-Policy as the sanitizer parses the header's `on…`
    // attributes (in an inert document: they never run) and logs each refusal; nothing else.
    const refusedHandler = (line: string) => line.includes('Executing inline event handler violates');
    expect(consoleErrors.filter((line) => !refusedHandler(line))).toEqual([]);
    // The next tests open this dashboard again: a plain header keeps their consoles clean.
    await app.request('PATCH', `/api/dashboards/${id}`, { headerHtml: '<b>Q3</b> review' });
    consoleErrors.length = 0;
  });

  it('shares with a group and changes the level, saved at once', async () => {
    const { app, base, page, consoleErrors, shot, demoDashboardId } = session();
    const id = await demoDashboardId();
    const group = (await app.request('POST', '/api/groups', { name: 'Finance team' })).body;
    await page.goto(`${base}/dashboards/${id}`);

    await page.getByRole('button', { name: 'Share' }).click();
    const dialog = page.getByRole('dialog', { name: 'Share “Demo sales”' });
    await dialog.getByLabel('Share with').selectOption('group');
    await dialog.getByLabel('Group', { exact: true }).selectOption({ label: 'Finance team' });
    await dialog.getByRole('button', { name: 'Share', exact: true }).click();
    const level = dialog.getByLabel('Access of Finance team');
    await level.waitFor();
    await level.selectOption('edit');
    await expect
      .poll(async () => (await app.request('GET', `/api/dashboards/${id}`)).body.shares)
      .toEqual([{ subject: 'group', id: group.id, level: 'edit' }]);
    await shot('share-dialog');

    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(consoleErrors).toEqual([]);
  });

  it('stars the dashboard and lists it under Favourites on Home', async () => {
    const { app, base, page, consoleErrors, shot, demoDashboardId } = session();
    const id = await demoDashboardId();
    await page.goto(`${base}/dashboards/${id}`);
    const star = page.getByRole('button', { name: 'Favourite' });
    await expect.poll(() => star.isEnabled()).toBe(true); // disabled until the favourites have loaded
    expect(await star.getAttribute('aria-pressed')).toBe('false');
    await star.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => star.getAttribute('aria-pressed')).toBe('true');
    await expect
      .poll(async () =>
        (await app.request('GET', '/api/me/favourites')).body.items.map((d: { id: number }) => d.id),
      )
      .toEqual([id]);

    await page.getByRole('link', { name: 'Dashboards' }).first().click();
    const favourites = page.getByRole('navigation', { name: 'Favourites' });
    await favourites.getByRole('link', { name: 'Demo sales' }).waitFor();
    await shot('home-favourites');
    await favourites.getByRole('link', { name: 'Demo sales' }).click();
    await page.getByRole('button', { name: 'Favourite' }).click();
    await expect.poll(async () => (await app.request('GET', '/api/me/favourites')).body.items).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
  it('opens the dashboard with its filters at their stored defaults', async () => {
    const { app, base, page, consoleErrors, waitForWidgets, demoDashboardId } = session();
    const id = await demoDashboardId();
    const dashboard = (await app.request('GET', `/api/dashboards/${id}`)).body;
    const filters = dashboard.filters.map((f: { field: string }) =>
      f.field === 'country' ? { ...f, default: ['France'] } : f,
    );
    expect((await app.request('PATCH', `/api/dashboards/${id}`, { filters })).status).toBe(200);
    const source = (await app.request('GET', '/api/data-sources')).body.items[0].uuid;
    const france = await app.request('POST', '/api/query', {
      source,
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
      filters: { field: 'country', operator: 'in', values: ['France'] },
    });
    const expected = Number(france.body.rows[0][0]);

    await page.goto(`${base}/dashboards/${id}`);
    await waitForWidgets();
    await expect.poll(() => page.getByRole('button', { name: /Country/ }).textContent()).toContain('France');
    const kpi = page.locator('[data-widget-id="units-sold"] [data-testid="kpi-value"]');
    const shown = Number(((await kpi.textContent()) ?? '').replace(/[^\d.]/g, ''));
    expect(shown).toBe(expected);
    expect(consoleErrors).toEqual([]);
  });
});
