import { describe, expect, it } from 'vitest';
import { hasChromium, useBrowserSession } from './browser.ts';
import { addCountryVariable, digits } from './country-variable.ts';

describe.skipIf(!hasChromium)('the embed dialog in headless Chromium', () => {
  const session = useBrowserSession();

  it('creates an embed URL with a variable that the embedded dashboard shows', async () => {
    const { app, base, page, context, consoleErrors, shot, demoDashboardId, signIn } = session();
    const id = await demoDashboardId();
    const { unitsIn } = await addCountryVariable(app, id);

    await signIn();
    await page.goto(`${base}/dashboards/${id}`);
    await page.getByRole('button', { name: 'Embed' }).click();
    const dialog = page.getByRole('dialog', { name: /Embed/ });
    const variable = dialog.getByLabel('country');
    expect(await variable.inputValue()).toBe('France');

    // An API refusal is shown in the dialog, and the form stays to be corrected.
    await dialog.getByLabel('Expires after').selectOption('custom');
    await dialog.getByLabel('Expiry in seconds').fill('99999999');
    await dialog.getByRole('button', { name: 'Create embed URL' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'expiresInSeconds' }).waitFor();
    consoleErrors.length = 0; // the browser logs the refused request; the dialog showed it

    await dialog.getByLabel('Expires after').selectOption({ label: '1 hour' });
    await dialog.getByLabel('Max opens (optional)').fill('3');
    await variable.fill('Spain');
    await dialog.getByRole('button', { name: 'Create embed URL' }).click();
    const urlField = dialog.getByRole('textbox', { name: 'Embed URL' });
    await urlField.waitFor();
    const url = await urlField.inputValue();
    expect(url).toMatch(new RegExp(`^${base}/embed/\\S+$`));
    expect(await dialog.getByRole('textbox', { name: 'HTML snippet' }).inputValue()).toContain(
      `<iframe src="${url}"`,
    );
    await dialog.getByText(/^Expires /).waitFor();
    await dialog.getByRole('button', { name: 'Copy Embed URL' }).click();
    await dialog
      .getByRole('status')
      .filter({ hasText: /Copied|Selected/ })
      .first()
      .waitFor();
    await shot('embed-dialog');

    const embedded = await context.newPage();
    embedded.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${embedded.url()}: ${m.text()}`);
    });
    embedded.on('pageerror', (error) => consoleErrors.push(`${embedded.url()}: uncaught ${error.message}`));
    await embedded.goto(url);
    const kpi = embedded.locator('[data-widget-id="units-sold"]');
    await kpi.locator('h2', { hasText: 'Units in Spain' }).waitFor();
    await expect
      .poll(async () => digits(await kpi.getByTestId('kpi-value').textContent()))
      .toBe(await unitsIn('Spain'));
    await embedded.close();

    // Back in the dialog: the link is listed with its one opening; revoking it stops the page.
    await dialog.getByRole('button', { name: 'Create another' }).click();
    const row = dialog.locator('table.embedlinks tbody tr').first();
    await expect.poll(() => row.textContent()).toContain('country = Spain');
    // The opening is recorded as the embedded page opens: the list may be read just before.
    await expect.poll(() => row.locator('td').nth(2).textContent()).toBe('1 / 3');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke embed link' })
      .getByRole('button', { name: 'Revoke' })
      .click();
    await expect.poll(() => row.getAttribute('data-status')).toBe('revoked');
    await shot('embed-dialog-revoked');
    const revoked = await context.newPage();
    await revoked.goto(url);
    await revoked.getByRole('alert').filter({ hasText: 'revoked' }).waitFor();
    await revoked.close();
    expect(consoleErrors).toEqual([]);
  });
});
