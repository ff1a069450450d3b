import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';

/** The composition root tombstones a purged object's external ids (core/ids/service.ts). */
describe('external ids of a purged data source', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ demo: false });
  });
  afterAll(() => app.close());

  it('stop resolving once the source is purged from the trash', async () => {
    const created = await app.request('POST', '/api/data-sources', {
      type: 'storage',
      name: 'orders',
      columns: [{ name: 'amount', type: 'number' }],
    });
    expect(created.status).toBe(201);
    const { id, organizationId } = created.body;
    const { externalIds } = app.rosetta.services;
    const oid = await externalIds.idOf(organizationId, 'data_source', id, 'hex24');

    expect((await app.request('DELETE', `/api/data-sources/${id}`)).status).toBe(204);
    // In the trash it may come back, so it keeps answering to its oid.
    expect(await externalIds.resolve(organizationId, 'data_source', 'hex24', oid)).toBe(id);

    expect((await app.request('DELETE', `/api/trash/data_source/${id}`)).status).toBe(204);
    expect(await externalIds.resolve(organizationId, 'data_source', 'hex24', oid)).toBeUndefined();
  });
});
