import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { hasChromium, useBrowserSession } from './browser.ts';

/*
 * "Who can query" on a data source and on a model, in headless Chromium: a developer builds each
 * list in the panel (a group and users, at query or edit level), sees a refused list explained
 * inline, and the saved lists are what the API answers; those without edit on a list, and those
 * whose role may not change sources, never see the panel.
 */
const SHOTS = '/tmp/shots';

interface Person {
  id: number;
  email: string;
  password: string;
}

async function createUser(app: TestApp, name: string, role: string): Promise<Person> {
  const email = `${name}@access.test`;
  const password = `${name} password 1`;
  const created = await app.request('POST', '/api/users', { email, name, role, password });
  expect(created.status).toBe(201);
  return { id: created.body.id, email, password };
}

/** A full-page screenshot from the top: scrolled, the sticky top bar would be drawn mid-page. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function signInAs(page: Page, base: string, who: Person): Promise<void> {
  await page.goto(`${base}/`);
  await page.evaluate('localStorage.clear()');
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

describe.skipIf(!hasChromium)('access lists of data sources and models in the web UI', () => {
  const session = useBrowserSession();

  it('lets a developer say who can query a data source and a model, and hides the panel from others', async () => {
    const { app, base, page, consoleErrors } = session();
    mkdirSync(SHOTS, { recursive: true });
    const developer = await createUser(app, 'dora', 'developer');
    const colleague = await createUser(app, 'colin', 'developer');
    const analyst = await createUser(app, 'ana', 'interactive_viewer');
    const analysts = (await app.request('POST', '/api/groups', { name: 'Analysts' })).body;
    await app.request('POST', `/api/groups/${analysts.id}/members`, { userId: analyst.id });
    const doomed = (await app.request('POST', '/api/groups', { name: 'Interns' })).body;
    const source = (await app.request('GET', '/api/data-sources')).body.items[0];
    const model = (
      await app.request('POST', '/api/models', {
        name: 'e2e_access_model',
        connectionId: source.connectionId,
        baseTable: 's',
        tables: [{ name: 's', dataSource: source.uuid }],
      })
    ).body;

    await signInAs(page, base, developer);
    await page.goto(`${base}/data?source=${source.uuid}`);
    const panel = page.getByRole('region', { name: 'Who can query' });
    await panel.getByText('Everyone in the organization whose role allows it').waitFor();
    await panel.getByLabel('Give access to').selectOption('group');
    await panel.getByLabel('Group', { exact: true }).selectOption({ label: 'Analysts' });
    await panel.getByRole('button', { name: 'Add', exact: true }).click();
    await panel.getByLabel('Give access to').selectOption('user');
    await panel.getByLabel('User', { exact: true }).selectOption({ label: `dora (${developer.email})` });
    await panel.getByLabel('Access', { exact: true }).selectOption('edit');
    await panel.getByRole('button', { name: 'Add', exact: true }).click();
    await panel.getByLabel('User', { exact: true }).selectOption({ label: `colin (${colleague.email})` });
    await panel.getByLabel('Access', { exact: true }).selectOption('query');
    await panel.getByRole('button', { name: 'Add', exact: true }).click();
    // Nothing is saved until the list is complete.
    expect((await app.request('GET', `/api/data-sources/${source.id}`)).body.access).toEqual([]);
    await panel.getByRole('button', { name: 'Save access' }).click();
    await panel.getByText('Access saved.').waitFor();
    await shoot(page, 'access-source-saved');
    expect((await app.request('GET', `/api/data-sources/${source.id}`)).body.access).toEqual([
      { subject: 'group', id: analysts.id, level: 'query' },
      { subject: 'user', id: developer.id, level: 'edit' },
      { subject: 'user', id: colleague.id, level: 'query' },
    ]);

    // A group deleted meanwhile: the server's 400 names the entry, shown in the panel; nothing changes.
    await panel.getByLabel('Give access to').selectOption('group');
    await panel.getByLabel('Group', { exact: true }).selectOption({ label: 'Interns' });
    await panel.getByRole('button', { name: 'Add', exact: true }).click();
    expect((await app.request('DELETE', `/api/groups/${doomed.id}`)).status).toBe(204);
    await panel.getByRole('button', { name: 'Save access' }).click();
    await expect.poll(() => panel.getByRole('alert').textContent()).toContain(`no group ${doomed.id}`);
    await shoot(page, 'access-source-error');
    expect((await app.request('GET', `/api/data-sources/${source.id}`)).body.access).toHaveLength(3);
    await panel.getByRole('button', { name: 'Undo changes' }).click();
    await expect.poll(() => panel.getByRole('row').count()).toBe(3);

    // The model editor has the same panel: one user at edit, then one removed again.
    await page.goto(`${base}/data?view=models&model=${model.uuid}`);
    const modelPanel = page.getByRole('region', { name: 'Who can query' });
    await modelPanel.getByLabel('Give access to').selectOption('user');
    await modelPanel.getByLabel('User', { exact: true }).selectOption({ label: `ana (${analyst.email})` });
    await modelPanel.getByRole('button', { name: 'Add', exact: true }).click();
    await modelPanel.getByLabel('User', { exact: true }).selectOption({ label: `dora (${developer.email})` });
    await modelPanel.getByLabel('Access', { exact: true }).selectOption('edit');
    await modelPanel.getByRole('button', { name: 'Add', exact: true }).click();
    await modelPanel.getByLabel(`Access of ana (${analyst.email})`).selectOption('edit');
    await modelPanel.getByRole('button', { name: 'Save access' }).click();
    await modelPanel.getByText('Access saved.').waitFor();
    await shoot(page, 'access-model-saved');
    expect((await app.request('GET', `/api/models/${model.uuid}`)).body.access).toEqual([
      { subject: 'user', id: analyst.id, level: 'edit' },
      { subject: 'user', id: developer.id, level: 'edit' },
    ]);
    await modelPanel.getByRole('button', { name: `Remove ana (${analyst.email})` }).click();
    await modelPanel.getByRole('button', { name: 'Save access' }).click();
    await modelPanel.getByText('Access saved.').waitFor();
    expect((await app.request('GET', `/api/models/${model.uuid}`)).body.access).toEqual([
      { subject: 'user', id: developer.id, level: 'edit' },
    ]);

    // Colin may query the source but not change it; Ana's role changes no source at all.
    for (const reader of [colleague, analyst]) {
      await signInAs(page, base, reader);
      await page.goto(`${base}/data?source=${source.uuid}`);
      await page.getByRole('heading', { name: source.name, level: 1 }).waitFor();
      await page.getByRole('heading', { name: 'Columns' }).waitFor();
      expect(await page.getByRole('region', { name: 'Who can query' }).count()).toBe(0);
    }
    await shoot(page, 'access-source-reader');
    expect(consoleErrors.filter((line) => !line.includes('status of 400'))).toEqual([]);
  });
});
