import { describe, expect, it } from 'vitest';
import { describeConditions } from '../../src/core/schedules/conditions.ts';
import { demoSource } from '../support/exports.ts';
import { hasChromium, useBrowserSession } from './browser.ts';

/** The server's row cap: the demo sales span many more days than this. */
const ROW_CAP = 50;

describe.skipIf(!hasChromium)('the alert dialog’s verdict in headless Chromium', () => {
  const session = useBrowserSession({ env: { ROSETTA_MAX_QUERY_ROWS: String(ROW_CAP) } });

  it('compares the total of the widget’s whole result, not of the rows the row cap left on screen', async () => {
    const { app, base, page, consoleErrors, shot, signIn, waitForWidgets } = session();
    const source = await demoSource(app);
    // A widget without a limit of its own, whose result the row cap cuts: units sold per day.
    const daily = {
      source,
      dimensions: [{ field: 'date', granularity: 'day' }],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
      sorts: [{ field: 'date_day' }],
    };
    const created = await app.request('POST', '/api/dashboards', {
      name: 'Daily units',
      widgets: [{ id: 'daily', title: 'Units per day', query: daily, visualization: { type: 'table' } }],
    });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    const screen = (await app.request('POST', `/api/dashboards/${id}/widgets/daily/results`, { filters: {} }))
      .body;
    expect(screen.truncated).toBe(true);
    const onScreen = screen.rows.reduce((sum: number, row: number[]) => sum + row[1], 0);
    const days = (await app.request('POST', '/api/query', { ...daily, count: true })).body.totalRows;
    expect(days).toBeGreaterThan(ROW_CAP);
    const total = (
      await app.request('POST', '/api/query', {
        source,
        metrics: [{ field: 'quantity', aggregation: 'sum' }],
      })
    ).body.rows[0][0] as number;
    expect(total).toBeGreaterThan(onScreen);

    await signIn();
    await page.goto(`${base}/dashboards/${id}`);
    await waitForWidgets();
    await page.getByRole('button', { name: 'Alert when… Units per day' }).click();
    const dialog = page.getByRole('dialog', { name: 'Alert when… “Units per day”' });
    await expect
      .poll(() => dialog.getByLabel('Condition 1 column').locator('option:checked').textContent())
      .toBe('Sum of quantity');
    expect(await dialog.getByLabel('Condition 1 rows').inputValue()).toBe('sum');
    const verdict = dialog.getByTestId('alert-verdict');
    expect(await verdict.textContent()).toBe(
      'Give every condition its value to see whether the alert would fire now.',
    );

    // Above what the screen adds up to, below the true total: the alert fires.
    const threshold = Math.ceil(onScreen);
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/alerts/preview'));
    await dialog.getByLabel('Condition 1 value').fill(String(threshold));
    const { evaluation } = await (await answered).json();
    expect(evaluation.rows).toBe(days);
    expect(evaluation.conditions[0].value).toBe(total);
    const fires = `${describeConditions(evaluation)}: the alert would fire now.`;
    expect(fires).toBe(
      `Total sum of quantity is ${total.toLocaleString('en-US')} (above ${threshold.toLocaleString('en-US')}): the alert would fire now.`,
    );
    await expect.poll(() => verdict.textContent()).toBe(fires);
    await shot('alert-preview-fires');

    // A threshold above the total, typed key by key: one request, once the typing pauses.
    let requests = 0;
    page.on('request', (r) => {
      if (r.url().endsWith('/api/alerts/preview')) requests++;
    });
    const input = dialog.getByLabel('Condition 1 value');
    await input.fill('');
    await input.pressSequentially(String(Math.ceil(total) + 1), { delay: 30 });
    await expect.poll(() => verdict.textContent()).toMatch(/: the alert would not fire now\.$/);
    expect(requests).toBe(1);
    await shot('alert-preview-holds-not');
    expect(consoleErrors).toEqual([]);
  });
});
