import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, hasChromium, openBrowserSession } from './browser.ts';

/*
 * The models page and Explore over a model, in headless Chromium: a model joining the demo
 * sales to a second storage source, built through the form, explored by a field of the joined
 * table and a model metric, and saved as a widget.
 */
const REGIONS: Record<string, string> = {
  France: 'Europe',
  Germany: 'Europe',
  Spain: 'Europe',
  Italy: 'Europe',
  'United Kingdom': 'Europe',
  Belgium: 'Europe',
  Netherlands: 'Europe',
  Switzerland: 'Europe',
  Portugal: 'Europe',
  Sweden: 'Europe',
  Norway: 'Europe',
  Poland: 'Europe',
  'United States': 'Americas',
  Canada: 'Americas',
  Mexico: 'Americas',
  Brazil: 'Americas',
  Japan: 'Asia-Pacific',
  India: 'Asia-Pacific',
  Australia: 'Asia-Pacific',
};
const MODEL = 'e2e_sales_by_region';
const VIEWER_PASSWORD = 'viewer horse battery staple';

describe.skipIf(!hasChromium)('models page and Explore over a model', () => {
  let session: BrowserSession;

  beforeAll(async () => {
    session = await openBrowserSession();
    const { app } = session;
    const created = await app.request('POST', '/api/data-sources', {
      name: 'e2e_countries',
      type: 'storage',
      columns: [
        { name: 'country', type: 'string' },
        { name: 'region', type: 'string' },
      ],
    });
    expect(created.status).toBe(201);
    const pushed = await app.request('POST', `/api/data-sources/${created.body.uuid}/rows`, {
      mode: 'insert',
      rows: Object.entries(REGIONS).map(([country, region]) => ({ country, region })),
    });
    expect(pushed.status).toBe(200);
  }, 240_000);

  afterAll(async () => {
    await session?.close();
  });

  it('creates a model joining two data sources at 768px, showing the 400 that names the field', async () => {
    const { app, base, page, consoleErrors, shot } = session;
    await session.signIn();
    await page.setViewportSize({ width: 768, height: 1000 });
    await page.goto(`${base}/data`);
    await page.getByRole('button', { name: 'Models…' }).click();
    await page.getByRole('heading', { name: 'Models', exact: true }).waitFor();
    await page.getByRole('button', { name: 'New model' }).click();
    await page.getByLabel('Model name').fill(MODEL);
    await page.getByLabel('Add a data source').selectOption({ label: 'demo_sales' });
    await page.getByRole('button', { name: 'Add table' }).click();
    await page.getByLabel('Add a data source').selectOption({ label: 'e2e_countries' });
    await page.getByRole('button', { name: 'Add table' }).click();
    // Renaming a table's alias renames every reference to it (join, dimensions).
    await page.getByLabel('Table 2 alias').fill('countries');
    await page.getByRole('button', { name: '+ Add metric' }).click();
    await page.getByLabel('Metric 1 name').fill('units');
    await page.getByLabel('Metric 1 field').selectOption('demo_sales.quantity');

    // The join has no condition yet: the server's 400 names it and the form shows it.
    await page.getByRole('button', { name: 'Save model' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('joins[0].on[0].left');
    consoleErrors.length = 0; // the browser logs the expected 400

    await page.getByLabel('Join 1 condition 1 left field').selectOption('demo_sales.country');
    await page.getByLabel('Join 1 condition 1 right field').selectOption('countries.country');
    await page.getByRole('button', { name: '+ Add metric' }).click();
    await page.getByLabel('Metric 2 name').fill('units_per_sale');
    await page.getByLabel('Metric 2 aggregation').selectOption('formula');
    await page.getByLabel('Metric 2 formula').fill('units / sales');
    await page.getByRole('button', { name: '+ Add metric' }).click();
    await page.getByLabel('Metric 3 name').fill('sales');
    await page.getByLabel('Metric 3 aggregation').selectOption('count');
    await page.getByRole('button', { name: 'Save model' }).click();
    await page.getByRole('button', { name: MODEL, pressed: true }).waitFor();

    const stored = await app.request('GET', `/api/models/${MODEL}`);
    expect(stored.status).toBe(200);
    expect(stored.body.baseTable).toBe('demo_sales');
    expect(stored.body.tables.map((t: { name: string }) => t.name)).toEqual(['demo_sales', 'countries']);
    expect(stored.body.joins).toEqual([
      {
        table: 'countries',
        type: 'left',
        on: [{ left: 'demo_sales.country', right: 'countries.country' }],
      },
    ]);
    expect(stored.body.metrics).toEqual([
      { name: 'units', table: 'demo_sales', aggregation: 'sum', column: 'quantity' },
      { name: 'units_per_sale', table: 'demo_sales', formula: 'units / sales' },
      { name: 'sales', table: 'demo_sales', aggregation: 'count' },
    ]);
    expect(
      stored.body.dimensions.map((d: { table: string; name: string }) => `${d.table}.${d.name}`),
    ).toContain('countries.region');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(768);
    await page.evaluate('window.scrollTo(0, 0)'); // the sticky top bar would sit mid-screenshot
    await shot('models');
    await page.setViewportSize({ width: 1366, height: 900 });
    expect(consoleErrors).toEqual([]);
  });

  it('explores the model by a joined field and a model metric, and saves it as a widget', async () => {
    const { app, page, consoleErrors, shot } = session;
    await page.getByRole('button', { name: `Explore ${MODEL}` }).click();
    await page.getByRole('heading', { name: 'Explore' }).waitFor();
    const model = (await app.request('GET', `/api/models/${MODEL}`)).body;
    await expect.poll(() => page.getByLabel('Data source or model').inputValue()).toBe(model.uuid);
    await page.getByLabel('Chart type').selectOption('table');
    await page.getByRole('button', { name: '+ Add dimension' }).click();
    await page.getByLabel('Dimension 1', { exact: true }).selectOption('countries.region');
    await page.getByRole('button', { name: '+ Add metric' }).click();
    await page.getByLabel('Metric 1 aggregation').selectOption({ label: 'units' });

    const expected = await app.request('POST', '/api/query', {
      source: MODEL,
      dimensions: ['countries.region'],
      metrics: [{ metric: 'units' }],
    });
    expect(expected.status).toBe(200);
    // Four regions, and the sales of the one country without a region under NULL.
    expect(expected.body.rows).toHaveLength(4);
    const table = page.locator('section.preview[data-state="ready"] table');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(expected.body.rows.length);
    const shown = await table.locator('tbody tr').allTextContents();
    const format = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
    for (const [region, units] of expected.body.rows as [string | null, number][]) {
      expect(shown.some((row) => row.includes(region ?? '∅') && row.includes(format.format(units)))).toBe(
        true,
      );
    }
    await page.locator('details.sql summary').click();
    await expect.poll(() => page.locator('details.sql pre').textContent()).toMatch(/LEFT JOIN/i);
    await shot('explore-model');

    await page.getByLabel('Widget title').fill('Units by region (e2e)');
    await page.getByLabel('Save to dashboard').selectOption({ label: 'Demo sales' });
    await page.getByRole('button', { name: 'Save as widget' }).click();
    await page.getByRole('region', { name: 'Units by region (e2e)' }).locator('tbody tr').first().waitFor();
    const dashboard = (await app.request('GET', `/api/dashboards/${await session.demoDashboardId()}`)).body;
    const widget = dashboard.widgets.find((w: { title: string }) => w.title === 'Units by region (e2e)');
    expect(widget.query).toMatchObject({
      source: model.uuid,
      dimensions: ['countries.region'],
      metrics: [{ metric: 'units' }],
    });
    expect(consoleErrors).toEqual([]);
  });
  it('adds a row-level policy that a read-only interactive viewer is held to', async () => {
    const { app, base, page, consoleErrors } = session;
    expect(
      (await app.request('POST', '/api/attributes', { key: 'sales_region', type: 'string' })).status,
    ).toBe(201);
    const viewer = await app.request('POST', '/api/users', {
      email: 'viewer-models@example.com',
      name: 'Viewer',
      // Explore runs ad-hoc queries: interactive viewers and up.
      role: 'interactive_viewer',
      password: VIEWER_PASSWORD,
    });
    expect(viewer.status).toBe(201);
    const values = await app.request('PUT', `/api/users/${viewer.body.id}/attributes`, {
      attributes: { sales_region: ['Europe'] },
    });
    expect(values.status).toBe(200);
    const model = (await app.request('GET', `/api/models/${MODEL}`)).body;

    await page.goto(`${base}/data?view=models&model=${model.uuid}`);
    await page.getByRole('button', { name: '+ Add policy' }).click();
    await page.getByLabel('Policy 1 field').selectOption('countries.region');
    await page.getByLabel('Policy 1 user attribute').selectOption('sales_region');
    await page.getByRole('button', { name: 'Save model' }).click();
    await expect
      .poll(async () => (await app.request('GET', `/api/models/${MODEL}`)).body.policies)
      .toEqual([{ field: 'countries.region', attribute: 'sales_region' }]);

    const login = await app.request(
      'POST',
      '/api/auth/login',
      { email: 'viewer-models@example.com', password: VIEWER_PASSWORD },
      { token: '' },
    );
    expect(login.status).toBe(200);
    // Signed in as the viewer: the web app keeps its session token under this key.
    await page.evaluate(`localStorage.setItem('rosetta.token', ${JSON.stringify(login.body.token)})`);
    await page.goto(`${base}/data?view=models&model=${model.uuid}`);
    await page.getByLabel('Model name').waitFor();
    expect(await page.getByLabel('Model name').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save model' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'New model' }).count()).toBe(0);

    const query = { source: MODEL, dimensions: ['countries.region'], metrics: [{ metric: 'units' }] };
    const seen = await app.request('POST', '/api/query', query, { token: login.body.token });
    expect(seen.body.rows).toEqual([['Europe', expect.any(Number)]]);
    await page.getByRole('button', { name: `Explore ${MODEL}` }).click();
    await page.getByLabel('Chart type').selectOption('table');
    await page.getByRole('button', { name: '+ Add dimension' }).click();
    await page.getByLabel('Dimension 1', { exact: true }).selectOption('countries.region');
    await page.getByRole('button', { name: '+ Add metric' }).click();
    await page.getByLabel('Metric 1 aggregation').selectOption({ label: 'units' });
    const rows = page.locator('section.preview[data-state="ready"] table tbody tr');
    await expect.poll(() => rows.allTextContents()).toEqual([expect.stringContaining('Europe')]);
    expect(consoleErrors).toEqual([]);
  });
});
