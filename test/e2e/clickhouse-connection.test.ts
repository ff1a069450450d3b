import { afterAll, describe, expect, it } from 'vitest';
import { createTempClickhouseDatabase } from '../support/clickhouse.ts';
import { hasChromium, useBrowserSession } from './browser.ts';

const clickhouse = await createTempClickhouseDatabase('rosetta_web');

afterAll(() => clickhouse.drop());

describe.skipIf(!hasChromium || !clickhouse.available)('a ClickHouse connection in headless Chromium', () => {
  const session = useBrowserSession();

  it('is created through the form, tested, and its tables browsed', async () => {
    const { app, page, consoleErrors, shot, signIn } = session();
    const url = new URL(clickhouse.url);
    await fetch(`${url.origin}/`, {
      method: 'POST',
      body: `CREATE TABLE ${clickhouse.database}.orders (id Int64, amount Float64) ENGINE = Memory`,
    });
    await signIn();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Data' }).click();
    await page.getByRole('button', { name: 'Connections…' }).click();
    const form = page.getByRole('form', { name: 'New connection' });
    await form.getByLabel('Name', { exact: true }).fill('Events warehouse');
    await form.getByRole('combobox').selectOption('clickhouse');
    await form.getByLabel('Host', { exact: true }).fill(url.hostname);
    await form.getByLabel('Port', { exact: true }).fill(url.port);
    await form.getByLabel('Database', { exact: true }).fill(clickhouse.database);
    await form.getByLabel('User', { exact: true }).fill('default');
    await form.getByRole('button', { name: 'Create connection' }).click();
    const row = page.getByRole('row', { name: /Events warehouse/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('clickhouse');
    await row.getByRole('button', { name: 'Test Events warehouse' }).click();
    await row.getByText('✓ Connected').waitFor();
    await shot('clickhouse-connection');

    const { body } = await app.request('GET', '/api/connections');
    const created = (body.items ?? body.connections ?? body).find(
      (c: { name: string }) => c.name === 'Events warehouse',
    );
    expect(created).toMatchObject({ type: 'clickhouse', port: Number(url.port) });
    const schema = await app.request('GET', `/api/connections/${created.id}/schema`);
    expect(schema.status).toBe(200);
    expect(JSON.stringify(schema.body)).toContain('orders');
    expect(consoleErrors).toEqual([]);
  });
});
