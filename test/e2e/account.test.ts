import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium, useBrowserSession } from './browser.ts';

/**
 * Accounts in the browser: what a viewer is (not) shown, an invitation from Admin → Users to a
 * signed-in user, "My account", and forms that keep their input when the server refuses it.
 */
describe.skipIf(!hasChromium)('accounts in headless Chromium', () => {
  const session = useBrowserSession();
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  /** A browser context of its own: no token or cached user shared with the admin's page. */
  async function freshPage(): Promise<Page> {
    const { chromium } = await import('playwright-core');
    browser ??= await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return page;
  }

  async function signInAs(page: Page, base: string, email: string, password: string) {
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  }

  it('shows a viewer no Admin, editors, Explore or creation buttons, and says so on their pages', async () => {
    const { app, base, consoleErrors, demoDashboardId } = session();
    const email = 'plain.viewer@example.com';
    const password = 'viewer password 1';
    expect((await app.request('POST', '/api/users', { email, role: 'viewer', password })).status).toBe(201);
    const page = await freshPage();
    const errors: string[] = [];
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await signInAs(page, base, email, password);
    await page.getByRole('link', { name: 'Demo sales' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Dashboards']);
    expect(await page.getByRole('button', { name: 'New dashboard' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: '+ New folder' }).count()).toBe(0);

    const id = await demoDashboardId();
    await page.goto(`${base}/dashboards/${id}`);
    await page.getByRole('heading', { name: 'Demo sales' }).waitFor();
    for (const name of ['Add widget', 'Edit layout', 'Settings', 'Share', 'Embed', 'Clone', 'History'])
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);

    await page.locator('.userbutton').click();
    const menu = page.getByRole('menu');
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual(['My account', 'Sign out']);
    await page.keyboard.press('Escape');

    for (const [path, what] of [
      ['/admin', 'Administration is for admins'],
      ['/explore', 'Explore is for interactive viewers'],
      ['/data', 'The data page is for interactive viewers'],
      [`/dashboards/${id}/widgets/new`, 'Editing widgets is for editors'],
    ]) {
      await page.goto(`${base}${path}`);
      await page.getByText(what).waitFor();
    }
    await page.screenshot({ path: 'test-results/web-viewer-not-allowed.png' });
    await page.context().close();
    expect(errors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('invites a user from Admin → Users; the link signs them in once, with the password they chose', async () => {
    const { app, base, page, consoleErrors, shot, signIn } = session();
    await signIn();
    await page.goto(`${base}/admin`);
    const form = page.getByRole('form', { name: 'Add user' });
    await form.getByLabel('Email').fill('admin@example.com');
    await form.getByLabel('Name').fill('Ines Invited');
    await form.getByLabel('Role').selectOption('editor');
    // Refused (the email is taken): the error shows and the form keeps what was typed.
    await form.getByRole('button', { name: 'Invite user' }).click();
    await page.getByRole('alert').filter({ hasText: 'already exists' }).waitFor();
    expect(await form.getByLabel('Name').inputValue()).toBe('Ines Invited');
    expect(await form.getByLabel('Role').inputValue()).toBe('editor');
    consoleErrors.length = 0; // the browser logs the refused request's 409
    await form.getByLabel('Email').fill('ines@example.com');
    await form.getByRole('button', { name: 'Invite user' }).click();
    const card = page.getByTestId('invitation');
    await card.waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await form.getByLabel('Email').inputValue()).toBe('');
    const url = await card.getByRole('textbox', { name: 'Invitation link' }).inputValue();
    expect(url).toMatch(new RegExp(`^${base}/invite/rsl_`));
    await page.getByRole('row').filter({ hasText: 'ines@example.com' }).getByText('pending').waitFor();
    await shot('admin-invitation');
    // An active user gets a reset link from the same place.
    await page
      .getByRole('row')
      .filter({ hasText: 'plain.viewer@example.com' })
      .getByRole('button', { name: 'Password…' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Password of plain.viewer@example.com' });
    await dialog.getByRole('button', { name: 'Create a reset link' }).click();
    expect(await dialog.getByRole('textbox', { name: 'Reset link' }).inputValue()).toMatch(
      /\/reset-password\/rsl_/,
    );
    await shot('admin-password-dialog');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });

    const invitee = await freshPage();
    await invitee.goto(url);
    await invitee.getByRole('heading', { name: 'Join Default' }).waitFor();
    expect(await invitee.getByLabel('Your name').inputValue()).toBe('Ines Invited');
    await invitee.getByLabel('Your name').fill('Ines');
    await invitee.getByLabel('New password', { exact: true }).fill('ines password 1');
    await invitee.getByLabel('Repeat the password').fill('ines password 1');
    await invitee.screenshot({ path: 'test-results/web-invitation-page.png', fullPage: true });
    await invitee.getByRole('button', { name: 'Join and sign in' }).click();
    await invitee.getByRole('link', { name: 'Demo sales' }).waitFor();
    expect(await invitee.locator('.userbutton').textContent()).toContain('Ines');
    const user = (await app.request('GET', '/api/users?search=ines@')).body.items[0];
    expect(user).toMatchObject({ status: 'active', role: 'editor', name: 'Ines' });

    // The link works once.
    await invitee.goto(url);
    await invitee.getByRole('alert').filter({ hasText: 'already used' }).waitFor();
    await invitee.screenshot({ path: 'test-results/web-invitation-used.png', fullPage: true });
    await invitee.context().close();
    expect(consoleErrors).toEqual([]);
  });

  it('changes the password from "My account", keeping the input while the server refuses it', async () => {
    const { app, base, consoleErrors, shot } = session();
    const page = await freshPage();
    await signInAs(page, base, 'ines@example.com', 'ines password 1');
    await page.locator('.userbutton').click();
    await page.getByRole('menuitem', { name: 'My account' }).click();
    const form = page.getByRole('form', { name: 'Change password' });
    await form.getByLabel('Current password').fill('not my password');
    await form.getByLabel('New password', { exact: true }).fill('ines password 2');
    await form.getByLabel('Repeat the new password').fill('ines password 2');
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByRole('alert').filter({ hasText: 'not your current password' }).waitFor();
    expect(await form.getByLabel('Current password').inputValue()).toBe('not my password');
    expect(await form.getByLabel('New password', { exact: true }).inputValue()).toBe('ines password 2');
    await shot('account-refused');
    await page.screenshot({ path: 'test-results/web-account-refused.png', fullPage: true });

    await form.getByLabel('Current password').fill('ines password 1');
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByRole('status').filter({ hasText: 'Password changed' }).waitFor();
    expect(await form.getByRole('alert').count()).toBe(0);
    expect(await form.getByLabel('Current password').inputValue()).toBe('');
    await page.screenshot({ path: 'test-results/web-account.png', fullPage: true });
    const login = (password: string) =>
      app.request('POST', '/api/auth/login', { email: 'ines@example.com', password }, { token: '' });
    expect((await login('ines password 1')).status).toBe(401);
    expect((await login('ines password 2')).status).toBe(200);
    // The page that changed it stays signed in.
    await page.reload();
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    await page.context().close();
    expect(consoleErrors).toEqual([]);
  });

  it('renames the organization in Admin → Settings and names new dashboards in a dialog', async () => {
    const { base, page, consoleErrors, shot, signIn } = session();
    await page.evaluate('localStorage.clear()');
    await signIn();
    await page.goto(`${base}/admin?tab=settings`);
    const name = page.getByLabel('Organization name');
    await expect.poll(() => name.inputValue()).toBe('Default');
    await name.fill('Acme Analytics');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('.userbutton').textContent()).toContain('Acme Analytics');
    await shot('admin-settings');

    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'New dashboard' }).click();
    const dialog = page.getByRole('dialog', { name: 'New dashboard' });
    await dialog.getByLabel('Dashboard name').fill('   ');
    await dialog.getByRole('button', { name: 'Create dashboard' }).click();
    await dialog.getByRole('alert').waitFor();
    expect(await dialog.getByLabel('Dashboard name').inputValue()).toBe('   ');
    await shot('new-dashboard-refused');
    consoleErrors.length = 0; // the refused request's 400
    await dialog.getByLabel('Dashboard name').fill('Named in a dialog');
    await dialog.getByRole('button', { name: 'Create dashboard' }).click();
    await page.getByRole('heading', { name: 'Named in a dialog' }).waitFor();
    expect(consoleErrors).toEqual([]);
  });
});
