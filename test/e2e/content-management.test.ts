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
    await page.getByRole('link', { name: 'Pipeline 2027' }).waitFor({ state: 'detached' });
    expect((await app.request('GET', `/api/dashboards/${id}`)).status).toBe(404);

    await page.getByRole('link', { name: '🗑 Trash' }).click();
    await page.getByRole('cell', { name: 'Pipeline 2027', exact: true }).waitFor();
    await shot('trash');
    await page.getByRole('button', { name: 'Restore Pipeline 2027' }).click();
    await page.getByText('The trash is empty.').waitFor();
    expect(await sees(member, id)).toBe(true);
    expect(consoleErrors).toEqual([]);
  });
});
