import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hasChromium, useBrowserSession } from './browser.ts';

/*
 * Projects in headless Chromium: an admin creates, renames and deletes projects in Admin →
 * Projects; the top bar offers a project switcher once there are two; the chosen project is
 * remembered, narrows Home and the models list, and is where new folders, dashboards and models
 * go. A project still holding something is refused, with the reason in the page.
 */
const SHOTS = '/tmp/shots';

/** A full-page screenshot from the top: scrolled, the sticky top bar would be drawn mid-page. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

interface ProjectView {
  id: number;
  name: string;
  isDefault: boolean;
}

describe.skipIf(!hasChromium)('projects in the web UI', () => {
  const session = useBrowserSession();

  it('manages projects, switches between them and files new content in the chosen one', async () => {
    const { app, base, page, consoleErrors, signIn } = session();
    mkdirSync(SHOTS, { recursive: true });
    const projects = async (): Promise<ProjectView[]> =>
      (await app.request('GET', '/api/projects')).body.items;
    const named = async (name: string) => (await projects()).find((p) => p.name === name);
    const topbar = page.locator('header.topbar');
    const switcher = topbar.getByLabel('Project');

    await signIn();
    // One project: nothing to switch.
    expect(await switcher.count()).toBe(0);

    await page.goto(`${base}/admin?tab=projects`);
    const create = page.getByRole('form', { name: 'Create project' });
    await create.getByLabel('Project name').fill('Marketing');
    await create.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('cell', { name: 'Marketing', exact: true }).waitFor();
    await create.getByLabel('Project name').fill('Scratch');
    await create.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('cell', { name: 'Scratch', exact: true }).waitFor();
    // A second project brings the switcher, without reloading the page.
    await switcher.waitFor();
    expect(await page.getByRole('button', { name: /^Delete Default/ }).count()).toBe(0);

    await page.getByRole('button', { name: 'Rename Marketing' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename “Marketing”' });
    await rename.getByLabel('New name').fill('Growth');
    await rename.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('cell', { name: 'Growth', exact: true }).waitFor();
    const growth = await named('Growth');
    expect(growth).toBeDefined();
    expect(await named('Marketing')).toBeUndefined();
    await expect.poll(() => switcher.locator('option').allTextContents()).toContain('Growth');
    await shoot(page, 'projects-admin');

    // In Growth, Home shows none of the default project's dashboards; new content lands there.
    await switcher.selectOption({ label: 'Growth' });
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'New dashboard' }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: 'Demo sales' }).count()).toBe(0);
    await page.getByRole('button', { name: '+ New folder' }).click();
    await page.getByLabel('Folder name').fill('Campaigns');
    await page.getByRole('button', { name: 'Create folder' }).click();
    await page.getByRole('button', { name: '📁 Campaigns' }).click();
    await page.getByRole('button', { name: 'New dashboard' }).click();
    await page.getByLabel('Dashboard name').fill('Launch');
    await page.getByRole('button', { name: 'Create dashboard' }).click();
    await page.waitForURL(/\/dashboards\/\d+$/);
    const launchId = Number(page.url().split('/').pop());
    const launch = (await app.request('GET', `/api/dashboards/${launchId}`)).body;
    expect(launch.projectId).toBe(growth?.id);
    const folders = (await app.request('GET', '/api/folders?kind=dashboard')).body.items;
    const campaigns = folders.find((f: { name: string }) => f.name === 'Campaigns');
    expect(campaigns.projectId).toBe(growth?.id);
    expect(launch.folderId).toBe(campaigns.id);

    // A model built while in Growth belongs to Growth, and only Growth's list shows it.
    await page.goto(`${base}/data?view=models`);
    await page.getByRole('button', { name: 'New model' }).click();
    await page.getByLabel('Model name').fill('growth_sales');
    await page.getByLabel('Add a data source').selectOption({ label: 'demo_sales' });
    await page.getByRole('button', { name: 'Add table' }).click();
    await page.getByRole('button', { name: 'Save model' }).click();
    await page.getByRole('button', { name: 'growth_sales', exact: true }).waitFor();
    const models = (await app.request('GET', '/api/models')).body.items;
    const model = models.find((m: { name: string }) => m.name === 'growth_sales');
    expect(model.projectId).toBe(growth?.id);

    // The choice survives a reload; back in Default, Home is the default project's again.
    await page.reload();
    await expect.poll(() => switcher.inputValue()).toBe(String(growth?.id));
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: '📁 Campaigns' }).waitFor();
    await shoot(page, 'projects-home-growth');
    await page.setViewportSize({ width: 768, height: 700 });
    await shoot(page, 'projects-home-growth-768');
    await page.setViewportSize({ width: 1366, height: 900 });
    await switcher.selectOption({ label: (await projects()).find((p) => p.isDefault)?.name });
    await page.getByRole('link', { name: 'Demo sales' }).waitFor();
    expect(await page.getByRole('button', { name: '📁 Campaigns' }).count()).toBe(0);
    await page.goto(`${base}/data?view=models`);
    await page.getByRole('heading', { name: 'Models', exact: true }).waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'growth_sales', exact: true }).count()).toBe(0);

    // Growth holds things: refused, said in the page. Scratch is empty: it goes.
    await page.goto(`${base}/admin?tab=projects`);
    await page.getByRole('button', { name: 'Delete Growth' }).click();
    await page
      .getByRole('dialog', { name: 'Delete project' })
      .getByRole('button', { name: 'Delete project' })
      .click();
    await page.getByRole('alert').waitFor();
    await shoot(page, 'projects-delete-refused');
    expect(await named('Growth')).toBeDefined();
    await page.getByRole('button', { name: 'Delete Scratch' }).click();
    await page
      .getByRole('dialog', { name: 'Delete project' })
      .getByRole('button', { name: 'Delete project' })
      .click();
    await page.getByRole('status').getByText('Project Scratch deleted.').waitFor();
    expect(await named('Scratch')).toBeUndefined();
    expect(consoleErrors.filter((line) => !line.includes('status of 409'))).toEqual([]);
  });
});
