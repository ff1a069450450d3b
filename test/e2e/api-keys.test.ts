import { describe, expect, it } from 'vitest';
import { hasChromium, useBrowserSession } from './browser.ts';

describe.skipIf(!hasChromium)('data-API keys in the admin page', () => {
  const session = useBrowserSession();

  it('creates a key restricted to a data source and edits its sources, by keyboard', async () => {
    const { app, base, page, consoleErrors, shot, signIn } = session();
    await app.request('POST', '/api/data-sources', { type: 'storage', name: 'partner_feed' });
    const sources: { id: number; name: string }[] = (await app.request('GET', '/api/data-sources')).body
      .items;
    const idOf = (name: string) => sources.find((s) => s.name === name)?.id;
    await signIn();
    await page.goto(`${base}/admin?tab=keys`);

    const form = page.getByRole('form', { name: 'Create API key' });
    await form.getByLabel('Key name').fill('partner');
    const choices = form.getByRole('group', { name: /Restrict to data sources/ });
    await choices.getByLabel('demo_sales').focus();
    await page.keyboard.press('Space');
    expect(await choices.getByLabel('demo_sales').isChecked()).toBe(true);
    await form.getByRole('button', { name: 'Create data-API key' }).click();
    const shown = page.getByTestId('new-key').locator('code');
    await shown.waitFor();
    const key = (await shown.textContent()) ?? '';
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: 'partner', exact: true }) });
    await row.getByRole('cell', { name: 'demo_sales', exact: true }).waitFor();
    await shot('admin-data-key');

    const visible = async () => {
      const list = await fetch(`${base}/serenytics/data-api/datasources_list`, {
        headers: { 'x-api-key': key },
      });
      return ((await list.json()) as { name: string }[]).map((s) => s.name);
    };
    expect(await visible()).toEqual(['demo_sales']);

    await row.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit the key partner' });
    const edit = dialog.getByRole('group', { name: 'Data sources this key may query' });
    await edit.getByLabel('partner_feed').check();
    await edit.getByLabel('demo_sales').uncheck();
    await shot('admin-data-key-edit');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await row.getByRole('cell', { name: 'partner_feed', exact: true }).waitFor();
    expect(await visible()).toEqual(['partner_feed']);
    const stored = (await app.request('GET', '/api/api-keys')).body.items.find(
      (k: { name: string }) => k.name === 'partner',
    );
    expect(stored.dataSourceIds).toEqual([idOf('partner_feed')]);

    // A full key can be renamed, never restricted.
    await form.getByLabel('Key name').fill('mine');
    await form.getByRole('button', { name: 'Create API key' }).click();
    const mine = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'mine', exact: true }) });
    await mine.getByRole('cell', { name: 'all (full key)' }).waitFor();
    await mine.getByRole('button', { name: 'Edit' }).click();
    const fullDialog = page.getByRole('dialog', { name: 'Edit the key mine' });
    expect(await fullDialog.getByRole('checkbox').count()).toBe(0);
    await fullDialog.getByLabel('Key name').fill('mine renamed');
    await page.keyboard.press('Enter');
    await page.getByRole('cell', { name: 'mine renamed', exact: true }).waitFor();
    expect(consoleErrors).toEqual([]);
  });
});
