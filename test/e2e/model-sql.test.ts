// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${TABLE}` is the placeholder syntax of developer SQL
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, hasChromium, openBrowserSession } from './browser.ts';

/*
 * A developer's SQL in the model editor, in headless Chromium: an SQL dimension and an SQL
 * metric over the demo sales, a typo the warehouse refuses shown as the 400 naming the field,
 * then the saved model answering queries as the plain aggregations do.
 */
const MODEL = 'e2e_sql_fields';

describe.skipIf(!hasChromium)('SQL fields in the model editor', () => {
  let session: BrowserSession;

  beforeAll(async () => {
    session = await openBrowserSession();
  }, 240_000);

  afterAll(async () => {
    await session?.close();
  });

  it('adds an SQL dimension and an SQL metric, shows the warehouse refusing a typo, then saves', async () => {
    const { app, base, page, consoleErrors, shot } = session;
    await session.signIn();
    await page.goto(`${base}/data`);
    await page.getByRole('button', { name: 'Models…' }).click();
    await page.getByRole('button', { name: 'New model' }).click();
    await page.getByLabel('Model name').fill(MODEL);
    await page.getByLabel('Add a data source').selectOption({ label: 'demo_sales' });
    await page.getByRole('button', { name: 'Add table' }).click();

    // The demo's seven columns are dimensions 1–7; the SQL one comes eighth.
    await page.getByRole('button', { name: '+ Add SQL dimension' }).click();
    await page.getByLabel('Dimension 8 name').fill('line_total');
    await page.getByLabel('Dimension 8 SQL').fill('${TABLE}.price * ${TABLE}.quantiy');
    expect(await page.getByLabel('Dimension 8 table').inputValue()).toBe('demo_sales');
    await page.getByLabel('Dimension 8 type').selectOption('number');
    await page.getByRole('button', { name: '+ Add metric' }).click();
    await page.getByLabel('Metric 1 name').fill('margin_rate');
    await page.getByLabel('Metric 1 aggregation').selectOption('sql');
    await page
      .getByLabel('Metric 1 SQL')
      .fill('SUM(${TABLE}.price - ${TABLE}.cost_of_goods) / NULLIF(SUM(${TABLE}.price), 0)');
    expect(await page.getByLabel('Metric 1 type').inputValue()).toBe('number');

    await page.getByRole('button', { name: 'Save model' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/dimensions\[7\]\.sql: the warehouse refuses it: .*quantiy/);
    consoleErrors.length = 0; // the browser logs the expected 400
    await page.evaluate('window.scrollTo(0, 0)'); // the sticky top bar would sit mid-screenshot
    await shot('model-sql-refused');

    await page.getByLabel('Dimension 8 SQL').fill('${TABLE}.price * ${TABLE}.quantity');
    await page.getByRole('button', { name: 'Save model' }).click();
    await page.getByRole('button', { name: MODEL, pressed: true }).waitFor();
    const stored = (await app.request('GET', `/api/models/${MODEL}`)).body;
    expect(stored.dimensions[7]).toEqual({
      name: 'line_total',
      table: 'demo_sales',
      sql: '${TABLE}.price * ${TABLE}.quantity',
      type: 'number',
    });
    expect(stored.metrics).toEqual([
      {
        name: 'margin_rate',
        table: 'demo_sales',
        sql: 'SUM(${TABLE}.price - ${TABLE}.cost_of_goods) / NULLIF(SUM(${TABLE}.price), 0)',
      },
    ]);

    // The SQL metric and dimension answer what the plain aggregations add up to.
    const bySql = await app.request('POST', '/api/query', {
      source: MODEL,
      dimensions: ['category'],
      metrics: [{ metric: 'margin_rate' }, { field: 'line_total', aggregation: 'sum' }],
    });
    const plain = await app.request('POST', '/api/query', {
      source: MODEL,
      dimensions: ['category'],
      metrics: [
        { field: 'price', aggregation: 'sum' },
        { field: 'cost_of_goods', aggregation: 'sum' },
      ],
    });
    const lines = await app.request('POST', '/api/query', {
      source: MODEL,
      dimensions: ['category'],
      metrics: [{ field: 'line', aggregation: 'sum' }],
      calculations: [{ name: 'line', formula: 'price * quantity' }],
    });
    expect(bySql.status).toBe(200);
    expect(bySql.body.rows.length).toBeGreaterThan(1);
    bySql.body.rows.forEach(([category, rate, total]: [string, number, number], i: number) => {
      const [plainCategory, price, cost] = plain.body.rows[i];
      expect(category).toBe(plainCategory);
      expect(rate).toBeCloseTo((price - cost) / price, 9);
      expect(total).toBeCloseTo(lines.body.rows[i][1], 6);
    });

    await page.evaluate('window.scrollTo(0, 0)');
    await shot('model-sql');
    expect(consoleErrors).toEqual([]);
  });
});
