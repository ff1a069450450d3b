import { describe, expect, it } from 'vitest';
import { hasChromium, useBrowserSession } from './browser.ts';

/** Browser-side: the page scrolls sideways (something is wider than the viewport). */
const OVERFLOWS = '(() => document.documentElement.scrollWidth > window.innerWidth)()';

describe.skipIf(!hasChromium)('SQL runner in headless Chromium', () => {
  const session = useBrowserSession();

  it('browses the demo warehouse, inserts a table, runs SQL and shows a rejected statement inline', async () => {
    const { app, base, page, consoleErrors, shot, signIn } = session();
    await signIn();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'SQL' }).click();
    const tree = page.getByRole('tree', { name: 'Schema' });
    const demo = tree.getByRole('treeitem', { name: /demo_sales/ });
    await demo.waitFor();
    expect(page.url()).toBe(`${base}/sql`);
    expect(await nav.getByRole('link', { name: 'SQL' }).getAttribute('aria-current')).toBe('page');
    expect(await nav.getByRole('link', { name: 'Dashboards' }).getAttribute('aria-current')).toBeNull();

    const filter = page.getByLabel('Filter tables');
    await filter.fill('no table is called this');
    await page.getByText('No table matches.').waitFor();
    await filter.fill('DEMO_s');
    await demo.waitFor();
    expect(await tree.locator('[aria-level="2"]').count()).toBe(1);

    // Keyboard: Right opens the table's columns, Left closes them again.
    await demo.focus();
    await page.keyboard.press('ArrowRight');
    await tree.getByRole('treeitem', { name: 'country, varchar' }).waitFor();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => tree.getByRole('treeitem', { name: 'country, varchar' }).count()).toBe(0);

    const editor = page.getByLabel('Query');
    await editor.fill('select country, count(*) as n from ');
    await demo.click();
    const table = (await editor.inputValue()).slice('select country, count(*) as n from '.length);
    expect(table).toMatch(/^"storage"\."ds_\d+"$/);
    // The caret sits behind the inserted name, so typing carries on.
    await page.keyboard.type(' group by 1 order by 2 desc');
    const sql = `select country, count(*) as n from ${table} group by 1 order by 2 desc`;
    expect(await editor.inputValue()).toBe(sql);
    await page.keyboard.press('Control+Enter');
    await page
      .getByRole('status')
      .filter({ hasText: /^20 rows in [\d,]+ ms$/ })
      .waitFor();

    const connections = await app.request('GET', '/api/connections');
    const embedded = connections.body.items.find((c: { builtin: boolean }) => c.builtin).id;
    const expected = await app.request('POST', `/api/connections/${embedded}/sql`, { sql });
    const rows = page.getByRole('table').locator('tbody tr');
    expect(await rows.count()).toBe(20);
    expect(await rows.first().locator('td').first().textContent()).toBe(expected.body.rows[0][0]);
    expect(await page.getByRole('columnheader').allTextContents()).toEqual(['country', 'n']);
    await shot('sql-runner');

    await editor.fill(`select nope from ${table}`);
    await page.getByRole('button', { name: 'Run' }).click();
    const error = page.getByRole('alert');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/nope/);
    expect(await page.getByRole('table').count()).toBe(0);

    // Cancelling gives the page back at once; the warehouse is free for the next statement.
    await editor.fill('select sum(i) from range(1000000000000) t(i)');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Run' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await editor.fill(sql);
    await page.keyboard.press('Control+Enter');
    await page
      .getByRole('status')
      .filter({ hasText: /^20 rows in/ })
      .waitFor();

    // Tablet width: the tree and the editor still sit side by side, nothing scrolls sideways.
    await page.setViewportSize({ width: 768, height: 1024 });
    expect(await page.evaluate(OVERFLOWS)).toBe(false);
    const treeBox = await tree.boundingBox();
    const editorBox = await editor.boundingBox();
    expect(treeBox && editorBox && treeBox.x + treeBox.width <= editorBox.x).toBe(true);
    await shot('sql-runner-tablet');
    await page.setViewportSize({ width: 1366, height: 900 });

    // the browser logs the rejected request (an expected 400), nothing else
    expect(consoleErrors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
    consoleErrors.length = 0;
  });

  it('has no SQL link and no runner for a viewer', async () => {
    const { app, base, page, consoleErrors } = session();
    const viewer = { email: 'sql-viewer@example.com', password: 'viewer password 1', role: 'viewer' };
    expect((await app.request('POST', '/api/users', viewer)).status).toBe(201);
    await page.locator('.userbutton').click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByLabel('Email').fill(viewer.email);
    await page.getByLabel('Password').fill(viewer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Dashboards' }).waitFor();
    expect(await nav.getByRole('link', { name: 'SQL' }).count()).toBe(0);
    await page.goto(`${base}/sql`);
    await page.getByText('The SQL runner is for developers and admins.').waitFor();
    expect(consoleErrors).toEqual([]);
  });
});
