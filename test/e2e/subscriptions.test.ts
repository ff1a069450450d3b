import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { demoSource } from '../support/exports.ts';
import { hasChromium, useBrowserSession, waitUntil } from './browser.ts';

/** The Paris day of an instant ("Mon 14 Dec 2026"), read with Intl, as the list prints it. */
function parisDay(iso: string): string {
  const part = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', ...options }).format(new Date(iso));
  return `${part({ weekday: 'short' })} ${part({ day: 'numeric' })} ${part({ month: 'short' })} ${part({ year: 'numeric' })}`;
}

describe.skipIf(!hasChromium)('subscriptions, alerts and the outbox in headless Chromium', () => {
  const session = useBrowserSession();

  it('subscribes with a filter value, runs it from Admin, and finds the right numbers in the outbox', async () => {
    const { app, base, page, consoleErrors, shot, demoDashboardId, signIn, waitForWidgets } = session();
    const id = await demoDashboardId();
    const source = await demoSource(app);
    const franceUnits = (
      await app.request('POST', '/api/query', {
        source,
        metrics: [{ field: 'quantity', aggregation: 'sum' }],
        filters: { field: 'country', operator: 'in', values: ['France'] },
      })
    ).body.rows[0][0] as number;

    await signIn();
    await page.goto(`${base}/dashboards/${id}?f.country=France`);
    await waitForWidgets();

    // Subscribe: the dialog starts from the filter values on screen.
    await page.getByRole('button', { name: 'Subscribe…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Subscribe to “Demo sales”' });
    await expect
      .poll(() => dialog.getByRole('button', { name: /Country/ }).textContent())
      .toContain('France');
    await dialog.getByLabel('Format').selectOption('xlsx');
    await dialog.getByLabel('Repeat').selectOption('weekly');
    await dialog.getByLabel('On', { exact: true }).selectOption({ label: 'Monday' });
    await dialog.getByLabel('At', { exact: true }).fill('08:00');
    await dialog.getByLabel('Timezone').selectOption('Europe/Paris');
    const next = dialog.getByTestId('next-run');
    await expect.poll(() => next.textContent()).toMatch(/^Next delivery: Monday .* 08:00 \(Europe\/Paris\)$/);
    await dialog.getByLabel('Recipients').fill('team@example.test');
    await shot('subscribe-dialog');
    await dialog.getByRole('button', { name: 'Subscribe' }).click();
    const saved = page.getByRole('status').filter({ hasText: 'Subscribed: “Demo sales”' });
    await saved.waitFor();
    expect(await saved.textContent()).toMatch(/Next delivery: Monday .* 08:00 \(Europe\/Paris\)/);
    await shot('subscribed');

    const [schedule] = (await app.request('GET', '/api/schedules')).body.items;
    expect(schedule).toMatchObject({
      cron: '0 8 * * 1',
      timezone: 'Europe/Paris',
      format: 'xlsx',
      filterValues: { country: ['France'] },
      destination: { recipients: ['team@example.test'] },
    });

    // Alert when… on a widget: its metric by label, and how the data on screen compares.
    await page.getByRole('button', { name: 'Alert when… Units sold' }).click();
    const alertDialog = page.getByRole('dialog', { name: 'Alert when… “Units sold”' });
    await expect
      .poll(() => alertDialog.getByLabel('Condition 1 column').locator('option:checked').textContent())
      .toBe('Sum of quantity');
    await alertDialog.getByLabel('Condition 1 value').fill(String(franceUnits - 1));
    await expect
      .poll(() => alertDialog.getByTestId('alert-verdict').textContent())
      .toBe(
        `Sum of quantity is ${franceUnits.toLocaleString('en-US')} (above ${(franceUnits - 1).toLocaleString('en-US')}): the alert would fire now.`,
      );
    await shot('alert-dialog');
    await alertDialog.getByRole('button', { name: 'Create alert' }).click();
    await page.getByRole('status').filter({ hasText: 'Alert “Alert: Units sold” created' }).waitFor();
    const [alert] = (await app.request('GET', '/api/alerts')).body.items;
    expect(alert.conditions).toEqual([
      { field: 'sum_quantity', aggregation: 'first', operator: '>', values: [franceUnits - 1] },
    ]);
    expect(alert.filterValues).toEqual({ country: ['France'] });

    // Admin → Subscriptions & alerts: both, with the next run on the schedule's clock.
    await page.goto(`${base}/admin?tab=subscriptions`);
    const table = page.getByRole('table', { name: 'Subscriptions and alerts' });
    const row = table.getByRole('row').filter({ hasText: 'Demo sales subscription' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Every Monday at 08:00');
    expect(await row.textContent()).toContain(`next ${parisDay(schedule.nextRunAt)}, 08:00 (Europe/Paris)`);
    await table.getByRole('row').filter({ hasText: 'Alert: Units sold' }).waitFor();
    await shot('admin-subscriptions');

    // Edit: the same dialog, with the subscription's own filter values and schedule.
    await page.getByRole('button', { name: 'Edit Demo sales' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit subscription “Demo sales”' });
    await expect.poll(() => edit.getByRole('button', { name: /Country/ }).textContent()).toContain('France');
    expect(await edit.getByLabel('On', { exact: true }).inputValue()).toBe('1');
    await edit.getByLabel('Repeat').selectOption('monthly');
    await edit.getByLabel('At', { exact: true }).fill('09:00');
    await expect
      .poll(() => edit.getByTestId('next-run').textContent())
      .toMatch(/^Next delivery: \w+ 1 .* 09:00 /);
    await edit.getByRole('button', { name: 'Save subscription' }).click();
    await expect.poll(() => row.textContent()).toContain('First day of the month at 09:00');
    expect((await app.request('GET', `/api/schedules/${schedule.id}`)).body.schedule).toMatchObject({
      cron: '0 9 1 * *',
      filterValues: { country: ['France'] },
    });
    await page.getByRole('button', { name: 'Run Demo sales now' }).click();
    await page.getByRole('status').filter({ hasText: 'Started a run of Demo sales' }).waitFor();
    await page.getByRole('button', { name: 'Run Alert: Units sold now' }).click();
    await page.getByRole('status').filter({ hasText: 'Started a run of Alert: Units sold' }).waitFor();

    // Admin → Outbox: the email, its text and its XLSX with France's numbers.
    await page.goto(`${base}/admin?tab=outbox`);
    const outbox = page.getByRole('table', { name: 'Outbox' });
    const message = outbox.getByRole('row').filter({ hasText: /Demo sales – \d{4}-\d\d-\d\d/ });
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return message.count();
        },
        { timeout: 60_000, interval: 500 },
      )
      .toBe(1);
    expect(await message.textContent()).toContain('held (no SMTP)');
    await message.getByRole('button', { name: /^Open / }).click();
    const opened = page.getByRole('dialog', { name: /Demo sales – / });
    expect(await opened.getByTestId('message-text').textContent()).toContain('Filters: Country: France');
    await shot('outbox-message');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      opened
        .getByRole('listitem')
        .filter({ hasText: '.xlsx' })
        .getByRole('button', { name: 'Download' })
        .click(),
    ]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(readFileSync((await download.path()) as string) as unknown as ArrayBuffer);
    expect(workbook.getWorksheet('Units sold')?.getRow(2).getCell(1).value).toBe(franceUnits);
    const countries: unknown[] = [];
    workbook.getWorksheet('Revenue by country')?.eachRow((r, n) => {
      if (n > 1) countries.push(r.getCell(1).value);
    });
    expect(countries).toEqual(['France']);

    // Without SMTP a resend is refused with the reason, in the dialog.
    await opened.getByRole('button', { name: 'Resend' }).click();
    await opened.getByRole('alert').filter({ hasText: 'SMTP is not configured' }).waitFor();
    consoleErrors.length = 0; // the browser logs the refused request; the dialog showed it
    await opened.getByRole('button', { name: 'Close', exact: true }).click();

    // Admin → Jobs: the alert's run says it triggered.
    await page.goto(`${base}/admin?tab=jobs`);
    const jobs = page.getByRole('table', { name: 'Jobs' });
    await jobs.getByRole('row').filter({ hasText: 'schedule.alert' }).waitFor();
    await waitUntil(
      page,
      `document.querySelector('[aria-label="Jobs"]').textContent.includes('success · triggered')`,
    );
    await shot('admin-jobs-alerts');
    expect(consoleErrors).toEqual([]);
  }, 180_000);
});
