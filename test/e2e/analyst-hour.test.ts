import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium, useBrowserSession } from './browser.ts';

/*
 * A new analyst's first hour, through the web UI only: upload a CSV of orders, explore it with a
 * calculated revenue column, save two charts, put them on a dashboard with a region filter that
 * is off for one tile, share it with a group, check what a viewer in and a viewer out of the
 * group see, subscribe with a region, run it and read the email in Admin → Outbox. The API only
 * creates the people; every expected number is computed here from the CSV's rows.
 */
const ORDERS: [date: string, region: string, product: string, price: number, quantity: number][] = [
  ['2026-01-05', 'North', 'Widget', 12.5, 4],
  ['2026-01-12', 'South', 'Gadget', 30, 2],
  ['2026-01-20', 'East', 'Widget', 12.5, 10],
  ['2026-02-03', 'North', 'Gadget', 30, 3],
  ['2026-02-14', 'South', 'Widget', 12.5, 6],
  ['2026-02-25', 'East', 'Gizmo', 8, 5],
  ['2026-03-02', 'North', 'Gizmo', 8, 7],
  ['2026-03-15', 'South', 'Gadget', 30, 1],
  ['2026-03-28', 'East', 'Widget', 12.5, 2],
  ['2026-03-30', 'North', 'Widget', 12.5, 8],
];
const CSV = `date,region,product,price,quantity\n${ORDERS.map((row) => row.join(',')).join('\n')}\n`;

/** Revenue (price × quantity) summed by a key of each row, in ascending key order. */
function revenueBy(key: (row: (typeof ORDERS)[number]) => string) {
  const sums = new Map<string, number>();
  for (const row of ORDERS) sums.set(key(row), (sums.get(key(row)) ?? 0) + row[3] * row[4]);
  return [...sums.entries()].sort(([a], [b]) => a.localeCompare(b));
}
const BY_REGION = revenueBy((row) => row[1]);
const BY_MONTH = revenueBy((row) => row[0].slice(0, 7));
/** What the charts draw: revenue per region (East, North, South), per month (January to March). */
const REGION_REVENUE = BY_REGION.map(([, revenue]) => revenue);
const MONTH_REVENUE = BY_MONTH.map(([, revenue]) => revenue);
const NORTH = BY_REGION.find(([region]) => region === 'North')?.[1] as number;

const SOURCE = 'orders_first_hour';
const DASHBOARD = 'Regional revenue';
const BY_REGION_CHART = 'Revenue by region';
const BY_MONTH_CHART = 'Revenue by month';
const PASSWORD = 'viewer password 123';
const VIEWER_IN = 'in.group@example.com';
const VIEWER_OUT = 'out.of.group@example.com';

interface DrawnSeries {
  name: string;
  data: (number | null)[];
}

/** The values a chart has drawn so far (none while it is not drawn). */
async function seriesOf(chart: Locator): Promise<(number | null)[]> {
  if ((await chart.count()) === 0) return [];
  const series = JSON.parse((await chart.getAttribute('data-series')) ?? '[]') as DrawnSeries[];
  return series[0]?.data ?? [];
}

/** The values a dashboard tile, found by its title, has drawn. */
const drawn = (page: Page, title: string) =>
  seriesOf(page.getByRole('region', { name: title, exact: true }).locator('.chart[data-rendered="true"]'));

/** The values the Explore preview chart has drawn. */
const previewSeries = (page: Page) =>
  seriesOf(page.locator('section.preview[data-state="ready"] .chart[data-rendered="true"]'));

/** Polls a page for up to 15 s, as a chart is redrawn after a change. */
const SLOW = { timeout: 15_000 };

describe.skipIf(!hasChromium)("an analyst's first hour in headless Chromium", () => {
  const session = useBrowserSession();
  let browser: Browser | undefined;
  let dashboardId = 0;
  afterAll(async () => {
    await browser?.close();
  });

  /** A signed-in page of its own (no token shared with the admin's page) for a viewer. */
  async function viewerPage(email: string): Promise<Page> {
    const { chromium } = await import('playwright-core');
    browser ??= await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${session().base}/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Demo sales' }).waitFor();
    return page;
  }

  it('uploads a CSV of orders as a new storage source on the Data page', async () => {
    const { base, page, consoleErrors, shot, signIn } = session();
    await signIn();
    await page.goto(`${base}/data`);
    await page.getByLabel('New storage source').fill(SOURCE);
    await page.getByRole('button', { name: 'Create storage source' }).click();
    await page.getByRole('heading', { name: SOURCE }).waitFor();
    await page
      .getByLabel('CSV file')
      .setInputFiles({ name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Loaded ${ORDERS.length} rows from orders.csv` })
      .waitFor();
    await expect.poll(() => page.getByTestId('preview').locator('tbody tr').count()).toBe(ORDERS.length);
    await expect.poll(() => page.locator('.columns').textContent()).toMatch(/date\s*date/);
    await shot('hour-1-upload');
    expect(consoleErrors).toEqual([]);
  });

  it('explores it with a calculated revenue column and saves revenue by region onto a new dashboard', async () => {
    const { page, consoleErrors, shot } = session();
    await page.getByRole('button', { name: 'Explore' }).click();
    await page.getByRole('heading', { name: 'Explore' }).waitFor();
    await addRevenue(page);
    await page.getByRole('button', { name: '+ Add dimension' }).click();
    await page.getByLabel('Dimension 1', { exact: true }).selectOption('region');
    await page.getByRole('button', { name: '+ Add metric' }).click();
    await page.getByLabel('Metric 1 field').selectOption('revenue');
    await page.getByRole('button', { name: '+ Add sort' }).click();
    await page.getByLabel('Chart type').selectOption('bar');
    await page.getByLabel('Widget title').fill(BY_REGION_CHART);
    await expect.poll(() => previewSeries(page), SLOW).toEqual(REGION_REVENUE);
    await shot('hour-2-explore-by-region');

    await page.getByRole('button', { name: 'Save chart to dashboard' }).click();
    const dialog = page.getByRole('form', { name: 'Save chart to a dashboard' });
    expect(await dialog.getByLabel('Chart name').inputValue()).toBe(BY_REGION_CHART);
    await dialog.getByRole('combobox', { name: /^Dashboard/ }).selectOption({ label: 'New dashboard…' });
    await dialog.getByLabel('New dashboard name').fill(DASHBOARD);
    await dialog.getByRole('button', { name: 'Save and add' }).click();
    await page.waitForURL(/\/dashboards\/\d+$/);
    dashboardId = Number(page.url().split('/').pop());
    await page.getByRole('heading', { name: DASHBOARD }).waitFor();
    expect(consoleErrors).toEqual([]);
  });

  it('saves revenue by month as a line chart onto the same dashboard', async () => {
    const { app, base, page, consoleErrors, shot, waitForWidgets } = session();
    const source = (await app.request('GET', '/api/data-sources')).body.items.find(
      (s: { name: string }) => s.name === SOURCE,
    );
    await page.goto(`${base}/explore?source=${source.uuid}`);
    await addRevenue(page);
    await page.getByRole('button', { name: '+ Add dimension' }).click();
    await page.getByLabel('Dimension 1', { exact: true }).selectOption('date');
    expect(await page.getByLabel('Dimension 1 granularity').inputValue()).toBe('month');
    await page.getByRole('button', { name: '+ Add metric' }).click();
    await page.getByLabel('Metric 1 field').selectOption('revenue');
    await page.getByRole('button', { name: '+ Add sort' }).click();
    await page.getByLabel('Chart type').selectOption('line');
    await page.getByLabel('Widget title').fill(BY_MONTH_CHART);
    await expect.poll(() => previewSeries(page), SLOW).toEqual(MONTH_REVENUE);
    await shot('hour-3-explore-by-month');

    await page.getByRole('button', { name: 'Save chart to dashboard' }).click();
    const dialog = page.getByRole('form', { name: 'Save chart to a dashboard' });
    await dialog.getByRole('combobox', { name: /^Dashboard/ }).selectOption({ label: DASHBOARD });
    await dialog.getByRole('button', { name: 'Save and add' }).click();
    await page.waitForURL(`${base}/dashboards/${dashboardId}`);
    await waitForWidgets();
    expect(await drawn(page, BY_REGION_CHART)).toEqual(REGION_REVENUE);
    expect(await drawn(page, BY_MONTH_CHART)).toEqual(MONTH_REVENUE);
    const charts = (await app.request('GET', '/api/charts')).body.items.map((c: { name: string }) => c.name);
    expect(charts.sort()).toEqual([BY_MONTH_CHART, BY_REGION_CHART]);
    expect(consoleErrors).toEqual([]);
  });

  it('adds a region filter that is off for the monthly line', async () => {
    const { base, page, consoleErrors, shot, waitForWidgets } = session();
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Dashboard settings' });
    await dialog.getByRole('button', { name: '+ Add filter' }).click();
    await dialog.getByLabel('Filter 1 field').selectOption('region');
    await dialog.getByLabel('Filter 1 label').fill('Region');
    await dialog.getByText('Per tile').click();
    await dialog.getByLabel(`Filter 1 in ${BY_MONTH_CHART}`).selectOption({ label: 'Off for this tile' });
    await shot('hour-4-filter-per-tile');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await dialog.waitFor({ state: 'detached' });

    await pickRegion(page, 'North');
    await waitForWidgets();
    await expect.poll(() => drawn(page, BY_REGION_CHART), SLOW).toEqual([NORTH]);
    expect(await drawn(page, BY_MONTH_CHART)).toEqual(MONTH_REVENUE);
    await shot('hour-4-dashboard-north');
    await page.goto(`${base}/dashboards/${dashboardId}`);
    expect(consoleErrors).toEqual([]);
  });

  it('shares it with a group from the Share dialog', async () => {
    const { app, page, consoleErrors, shot } = session();
    const viewer = async (email: string) =>
      (await app.request('POST', '/api/users', { email, role: 'viewer', password: PASSWORD })).body.id;
    const member = await viewer(VIEWER_IN);
    await viewer(VIEWER_OUT);
    const group = (await app.request('POST', '/api/groups', { name: 'Regional managers' })).body;
    await app.request('POST', `/api/groups/${group.id}/members`, { userId: member });

    await page.getByRole('button', { name: 'Share' }).click();
    const share = page.getByRole('dialog', { name: `Share “${DASHBOARD}”` });
    await share.getByLabel('Share with').selectOption('group');
    await share.getByLabel('Group', { exact: true }).selectOption({ label: 'Regional managers' });
    await share.getByRole('button', { name: 'Share', exact: true }).click();
    await share.getByLabel('Access of Regional managers').waitFor();
    await shot('hour-5-share');
    await share.getByRole('button', { name: 'Close' }).click();
    expect(consoleErrors).toEqual([]);
  });

  it('shows a viewer in the group the right numbers, the region filter off for the monthly line', async () => {
    const inside = await viewerPage(VIEWER_IN);
    const errors: string[] = [];
    inside.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await inside.goto(`${session().base}/dashboards/${dashboardId}`);
    await inside.getByRole('heading', { name: DASHBOARD }).waitFor();
    // Each chart draws when its own answer arrives: wait for both.
    await expect.poll(() => drawn(inside, BY_REGION_CHART), SLOW).toEqual(REGION_REVENUE);
    await expect.poll(() => drawn(inside, BY_MONTH_CHART), SLOW).toEqual(MONTH_REVENUE);
    await pickRegion(inside, 'North');
    await expect.poll(() => drawn(inside, BY_REGION_CHART), SLOW).toEqual([NORTH]);
    await expect.poll(() => drawn(inside, BY_MONTH_CHART), SLOW).toEqual(MONTH_REVENUE);
    await inside.screenshot({ path: 'test-results/web-hour-6-viewer-in.png', fullPage: true });
    await inside.context().close();
    expect(errors).toEqual([]);
  });

  it('lists it on the home page of the viewer in the group', async () => {
    const inside = await viewerPage(VIEWER_IN);
    try {
      await inside.getByRole('link', { name: DASHBOARD }).click();
      await inside.getByRole('heading', { name: DASHBOARD }).waitFor();
    } finally {
      await inside.screenshot({ path: 'test-results/web-hour-6-viewer-in-home.png', fullPage: true });
      await inside.context().close();
    }
  });

  it('hides it from a viewer out of the group: not listed, and its address says not found', async () => {
    const outside = await viewerPage(VIEWER_OUT);
    expect(await outside.getByRole('link', { name: DASHBOARD }).count()).toBe(0);
    await outside.goto(`${session().base}/dashboards/${dashboardId}`);
    await outside.getByText(/not found/i).waitFor();
    expect(await outside.getByRole('heading', { name: DASHBOARD }).count()).toBe(0);
    await outside.screenshot({ path: 'test-results/web-hour-6-viewer-out.png', fullPage: true });
    await outside.context().close();
  });

  it('subscribes with Region = North, runs it now and finds the numbers in the outbox', async () => {
    const { base, page, consoleErrors, shot, waitForWidgets } = session();
    await page.goto(`${base}/dashboards/${dashboardId}`);
    await waitForWidgets();
    await pickRegion(page, 'North');
    await page.getByRole('button', { name: 'Subscribe…' }).click();
    const dialog = page.getByRole('dialog', { name: `Subscribe to “${DASHBOARD}”` });
    await expect.poll(() => dialog.getByRole('button', { name: /Region/ }).textContent()).toContain('North');
    await dialog.getByLabel('Format').selectOption('xlsx');
    await dialog.getByLabel('Recipients').fill('north.team@example.test');
    await shot('hour-7-subscribe');
    await dialog.getByRole('button', { name: 'Subscribe' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Subscribed: “${DASHBOARD}”` })
      .waitFor();

    await page.goto(`${base}/admin?tab=subscriptions`);
    await page.getByRole('button', { name: `Run ${DASHBOARD} now` }).click();
    await shot('hour-7-run-now');
    await page
      .getByRole('status')
      .filter({ hasText: `Started a run of ${DASHBOARD}` })
      .waitFor();

    await page.goto(`${base}/admin?tab=outbox`);
    const message = page
      .getByRole('table', { name: 'Outbox' })
      .getByRole('row')
      .filter({ hasText: new RegExp(`${DASHBOARD} – \\d{4}-\\d\\d-\\d\\d`) })
      // Written as pending first, then held (no SMTP here): only a held message keeps its files.
      .filter({ hasText: 'held' });
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return message.count();
        },
        { timeout: 60_000, interval: 500 },
      )
      .toBe(1);
    expect(await message.textContent()).toContain('north.team@example.test');
    await message.getByRole('button', { name: /^Open / }).click();
    const opened = page.getByRole('dialog', { name: new RegExp(`^${DASHBOARD} – `) });
    expect(await opened.getByTestId('message-text').textContent()).toContain('Filters: Region: North');
    await shot('hour-8-outbox-message');
    const [download] = await Promise.all([
      // The file is fetched with the session before the browser saves it: slow on a loaded machine.
      page.waitForEvent('download', { timeout: 60_000 }),
      opened
        .getByRole('listitem')
        .filter({ hasText: '.xlsx' })
        .getByRole('button', { name: 'Download' })
        .click(),
    ]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(readFileSync((await download.path()) as string) as unknown as ArrayBuffer);
    const rows = (sheet: string) => {
      const found: unknown[][] = [];
      workbook.getWorksheet(sheet)?.eachRow((row, n) => {
        if (n > 1) found.push([row.getCell(1).value, row.getCell(2).value]);
      });
      return found;
    };
    expect(rows(BY_REGION_CHART)).toEqual([['North', NORTH]]);
    // The region filter is off for the monthly line: every region's revenue, month by month.
    expect(rows(BY_MONTH_CHART).map(([, revenue]) => revenue)).toEqual(MONTH_REVENUE);
    expect(consoleErrors).toEqual([]);
  }, 120_000);
});

/** Adds the calculated column `revenue = price * quantity` in the query builder. */
async function addRevenue(page: Page) {
  await page.getByRole('button', { name: '+ Custom column' }).click();
  await page.getByLabel('Custom column 1 name').fill('revenue');
  await page.getByLabel('Custom column 1 expression').fill('price * quantity');
}

/** Chooses one region in the dashboard's filter bar. */
async function pickRegion(page: Page, region: string) {
  await page
    .getByRole('group', { name: 'Dashboard filters' })
    .getByRole('button', { name: /Region/ })
    .click();
  await page.getByRole('checkbox', { name: region }).check();
  await page.getByRole('button', { name: 'Done' }).click();
}
