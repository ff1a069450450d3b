import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WidgetInput } from '../src/core/content/index.ts';
import { startTestApp, type TestApp } from './support/app.ts';

/**
 * `dashboards.dataSources`: the core answer every face lists (Serenytics `GET
 * /api/web_app/{uuid}/data_sources`, embeds), over the real data module.
 */
let app: TestApp;

async function storageSource(name: string): Promise<{ id: number; uuid: string }> {
  const created = await app.request('POST', '/api/data-sources', {
    name,
    type: 'storage',
    columns: [{ name: 'amount', type: 'integer' }],
  });
  expect(created.status).toBe(201);
  return created.body;
}

async function login(email: string, role: string): Promise<string> {
  const password = `${role} password 123`;
  await app.request('POST', '/api/users', { email, role, password });
  return (await app.request('POST', '/api/auth/login', { email, password }, { token: '' })).body.token;
}

beforeAll(async () => {
  app = await startTestApp({ demo: false });
});
afterAll(async () => app?.close());

describe('the data sources a dashboard reads', () => {
  it('lists each source once, skips models and text, and hides sources the caller may not see', async () => {
    const orders = await storageSource('orders');
    const customers = await storageSource('customers');
    const secret = await storageSource('secret');
    const viewerToken = await login('reader@example.com', 'viewer');
    const admin = await app.rosetta.services.auth.authenticate(await login('boss@example.com', 'admin'));
    const viewer = await app.rosetta.services.auth.authenticate(viewerToken);
    const locked = await app.request('PUT', `/api/data-sources/${secret.id}/access`, {
      access: [{ subject: 'user', id: admin.userId, level: 'edit' }],
    });
    expect(locked.status).toBe(200);
    const widget = (id: string, source: string): WidgetInput => ({
      id,
      title: id,
      query: { source, metrics: [{ field: 'amount', aggregation: 'sum' }] },
      visualization: { type: 'kpi' },
    });
    const dashboard = await app.rosetta.services.content.dashboards.create(admin, {
      name: 'Mixed',
      widgets: [
        widget('by-uuid', customers.uuid),
        widget('by-id', String(orders.id)),
        widget('again', orders.uuid),
        widget('model', 'some_model'),
        widget('hidden', secret.uuid),
        { id: 'note', title: 'Note', query: null, visualization: { type: 'text' } },
      ],
    });
    const { dashboards } = app.rosetta.services.content;
    const names = async (principal: typeof admin) =>
      (await dashboards.dataSources(principal, dashboard.uuid)).map((source) => source.name);
    expect(await names(admin)).toEqual(['customers', 'orders', 'secret']);
    expect(await names(viewer)).toEqual(['customers', 'orders']);
  });
});
