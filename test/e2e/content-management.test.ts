import { describe, expect, it } from 'vitest';
import { hasChromium, useBrowserSession } from './browser.ts';

/**
 * Content management in the browser: a new dashboard lands in My space, sharing it with a group
 * shows it to that group's viewer only, then it is renamed, moved, deleted and restored from the
 * trash. Who sees what is checked through the API with each viewer's own session.
 */
describe.skipIf(!hasChromium)('My space, sharing, move, rename and trash in headless Chromium', () => {
  const session = useBrowserSession();

  it('creates in My space, shares with a group, renames, moves, deletes and restores', async () => {
    const { app, base, page, consoleErrors, shot, signIn } = session();
    const viewer = async (email: string) => {
      const password = 'viewer password 123';
      const user = (await app.request('POST', '/api/users', { email, role: 'viewer', password })).body;
      const token = (await app.request('POST', '/api/auth/login', { email, password }, { token: '' })).body
        .token;
      return { id: user.id as number, token: token as string };
    };
    const member = await viewer('member@example.com');
    const stranger = await viewer('stranger@example.com');
    const group = (await app.request('POST', '/api/groups', { name: 'Sales team' })).body;
    await app.request('POST', `/api/groups/${group.id}/members`, { userId: member.id });
    await app.request('POST', '/api/folders', { name: 'Reports' });
    const sees = async (who: { token: string }, id: number) =>
      (await app.request('GET', `/api/dashboards/${id}`, undefined, { token: who.token })).status === 200;

    await signIn();
    await page.getByRole('button', { name: 'New dashboard' }).click();
    await page.getByLabel('Dashboard name').fill('Pipeline');
    await page.getByRole('button', { name: 'Create dashboard' }).click();
    await page.waitForURL(/\/dashboards\/\d+$/);
    const id = Number(page.url().split('/').pop());
    expect((await app.request('GET', `/api/dashboards/${id}`)).body.personal).toBe(true);
    expect(await sees(member, id)).toBe(false);

    await page.getByRole('button', { name: 'Share' }).click();
    const share = page.getByRole('dialog', { name: 'Share “Pipeline”' });
    await share.getByLabel('Share with').selectOption('group');
    await share.getByLabel('Group', { exact: true }).selectOption({ label: 'Sales team' });
    await share.getByRole('button', { name: 'Share', exact: true }).click();
    await share.getByLabel('Access of Sales team').waitFor();
    await share.getByRole('button', { name: 'Close' }).click();
    expect(await sees(member, id)).toBe(true);
    expect(await sees(stranger, id)).toBe(false);

    await page.goto(`${base}/`);
    await page.getByRole('button', { name: '🔒 My space' }).click();
    await page.getByRole('link', { name: 'Pipeline' }).waitFor();
    await shot('home-my-space');

    await page.getByRole('button', { name: 'Rename Pipeline' }).click();
    await page.getByLabel('Dashboard name').fill('Pipeline 2027');
    await page.getByRole('button', { name: 'Rename', exact: true }).click();
    await page.getByRole('link', { name: 'Pipeline 2027' }).waitFor();

    await page.getByRole('button', { name: 'Move Pipeline 2027' }).click();
    const move = page.getByRole('dialog', { name: 'Move “Pipeline 2027”' });
    await move.getByLabel('📁 Reports').check();
    await move.getByRole('button', { name: 'Move', exact: true }).click();
    await move.waitFor({ state: 'detached' });
    await expect
      .poll(async () => (await app.request('GET', `/api/dashboards/${id}`)).body)
      .toMatchObject({ name: 'Pipeline 2027', personal: false, folderId: expect.any(Number) });
    // Still shared with the group only: the share list governs wherever it is filed.
    expect(await sees(stranger, id)).toBe(false);

    await page.getByRole('button', { name: 'All shared dashboards' }).click();
    await page.getByRole('button', { name: 'Delete Pipeline 2027' }).click();
    await page
      .getByRole('dialog', { name: 'Delete dashboard' })
      .getByRole('button', { name: 'Move to trash' })
      .click();
    // Its card and its "Recently viewed" link both go.
    await expect.poll(() => page.getByRole('link', { name: 'Pipeline 2027' }).count()).toBe(0);
    expect((await app.request('GET', `/api/dashboards/${id}`)).status).toBe(404);

    await page.getByRole('link', { name: '🗑 Trash' }).click();
    await page.getByRole('cell', { name: 'Pipeline 2027', exact: true }).waitFor();
    await shot('trash');
    await page.getByRole('button', { name: 'Restore Pipeline 2027' }).click();
    await page.getByText('The trash is empty.').waitFor();
    expect(await sees(member, id)).toBe(true);
    expect(consoleErrors).toEqual([]);
  });

  it('renames, moves and deletes a chart on Home, then restores it from the trash', async () => {
    const { app, base, page, consoleErrors, shot } = session(); // signed in by the test before
    const sources = (await app.request('GET', '/api/data-sources')).body.items;
    const source = sources.find((s: { name: string }) => s.name === 'demo_sales').uuid;
    const chart = (
      await app.request('POST', '/api/charts', {
        name: 'Units sold',
        query: { source, metrics: [{ field: 'quantity', aggregation: 'sum' }] },
        visualization: { type: 'kpi' },
      })
    ).body;
    await app.request('POST', '/api/dashboards', {
      name: 'Shows the chart',
      widgets: [{ id: 'tile', chartId: chart.uuid }],
    });
    const stored = async () => (await app.request('GET', `/api/charts/${chart.id}`)).body;

    await page.goto(`${base}/`);
    const charts = page.getByRole('region', { name: 'Charts' });
    await charts.getByRole('button', { name: 'Rename Units sold' }).click();
    await page.getByLabel('Chart name').fill('Units 2027');
    await page.getByRole('button', { name: 'Rename', exact: true }).click();
    await charts.getByRole('link', { name: 'Units 2027' }).waitFor();
    await shot('home-chart-actions');

    await charts.getByRole('button', { name: 'Move Units 2027' }).click();
    const move = page.getByRole('dialog', { name: 'Move “Units 2027”' });
    await move.getByLabel('📁 Reports').check();
    await move.getByRole('button', { name: 'Move', exact: true }).click();
    await move.waitFor({ state: 'detached' });
    await expect.poll(stored).toMatchObject({ name: 'Units 2027', folderId: expect.any(Number) });

    // A dashboard shows it: deleting asks again, then turns that tile into a plain widget.
    await charts.getByRole('button', { name: 'Delete Units 2027' }).click();
    await page
      .getByRole('dialog', { name: 'Delete chart' })
      .getByRole('button', { name: 'Move to trash' })
      .click();
    const inUse = page.getByRole('dialog', { name: 'The chart is in use' });
    await inUse.getByText('Shows the chart').waitFor();
    await inUse.getByRole('button', { name: 'Delete anyway' }).click();
    await charts.getByRole('link', { name: 'Units 2027' }).waitFor({ state: 'detached' });
    expect((await app.request('GET', `/api/charts/${chart.id}`)).status).toBe(404);

    await page.getByRole('link', { name: '🗑 Trash' }).click();
    await page.getByRole('button', { name: 'Restore Units 2027' }).click();
    await page.getByText('The trash is empty.').waitFor();
    expect(await stored()).toMatchObject({ name: 'Units 2027' });
    // The browser logs the first, refused DELETE (409); that one is expected, nothing else.
    expect(consoleErrors.splice(0)).toEqual([expect.stringContaining('status of 409 (Conflict)')]);
  });

  it('links editors, not viewers, to their subscriptions from the top bar', async () => {
    const { app, page, consoleErrors } = session();
    const password = 'top bar password 123';
    for (const role of ['editor', 'viewer'])
      await app.request('POST', '/api/users', { email: `${role}@example.com`, role, password });
    const signInAs = async (role: string) => {
      await page.locator('.userbutton').click();
      await page.getByRole('menuitem', { name: 'Sign out' }).click();
      await page.getByLabel('Email').fill(`${role}@example.com`);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('banner').getByRole('link', { name: 'Dashboards' }).waitFor();
    };
    await signInAs('editor');
    await page.getByRole('banner').getByRole('link', { name: 'Subscriptions' }).click();
    await page.waitForURL(/\/subscriptions$/);
    await page.getByText('No subscriptions or alerts yet.', { exact: false }).waitFor();
    await signInAs('viewer');
    expect(await page.getByRole('banner').getByRole('link', { name: 'Subscriptions' }).count()).toBe(0);
    expect(consoleErrors).toEqual([]);
  });
});
