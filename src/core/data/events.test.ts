import { afterAll, describe, expect, it, vi } from 'vitest';
import type { DomainEventMap, DomainEventName } from '../events.ts';
import { openHarness, principalFor } from './test-support.ts';

const admin = principalFor('admin');

/** The data module announces every committed change once, and a failing reaction never undoes it. */
describe('domain events of the data module', async () => {
  const harness = await openHarness('sqlite');
  afterAll(() => harness?.close());
  const h = harness!;

  it('announces data, connection, model and source changes, and what is gone for good', async () => {
    const seen: Array<[DomainEventName, DomainEventMap[DomainEventName]]> = [];
    const record =
      <K extends DomainEventName>(name: K) =>
      (event: DomainEventMap[K]) => {
        seen.push([name, event]);
      };
    const failing = vi.spyOn(console, 'error').mockImplementation(() => {});
    // Subscribed first: the reactions after it still run, and the change still succeeds.
    h.events.on('connectionChanged', () => {
      throw new Error('reaction down');
    });
    for (const name of [
      'dataChanged',
      'connectionChanged',
      'modelChanged',
      'sourceDeleted',
      'objectPurged',
    ] as const)
      h.events.on(name, record(name));

    const connection = await h.data.connections.create(admin, {
      name: 'Sales PG',
      type: 'postgres',
      host: '127.0.0.1',
      database: 'sales',
      user: 'reader',
    });
    await h.data.connections.update(admin, connection.id, { database: 'sales_2' });
    await h.data.connections.delete(admin, connection.id);
    expect(failing).toHaveBeenCalledWith('connectionChanged reaction failed', expect.any(Error));
    failing.mockRestore();

    const source = await h.data.sources.create(admin, {
      type: 'storage',
      name: 'orders',
      columns: [{ name: 'amount', type: 'number' }],
    });
    await h.data.ingestor.pushRows(admin, source.id, { mode: 'insert', rows: [{ amount: 1 }] });
    const model = await h.data.models.create(admin, {
      name: 'sales',
      connectionId: h.embedded.id,
      baseTable: 'orders',
      tables: [{ name: 'orders', dataSource: source.uuid }],
      joins: [],
      dimensions: [],
      metrics: [{ name: 'revenue', table: 'orders', aggregation: 'sum', column: 'amount' }],
      policies: [],
    });
    await h.data.models.update(admin, model.id, { name: 'sales 2' });
    await h.data.models.delete(admin, model.id);
    await h.data.sources.delete(admin, source.id);
    await h.data.trash.purge(admin, 'data_source', source.id);

    const connectionId = h.embedded.id;
    expect(seen).toEqual([
      ['connectionChanged', { connectionId: connection.id }],
      ['connectionChanged', { connectionId: connection.id }],
      ['dataChanged', { dataSourceId: source.id, connectionId }],
      ['modelChanged', { modelId: model.id, connectionId }],
      ['modelChanged', { modelId: model.id, connectionId }],
      ['modelChanged', { modelId: model.id, connectionId }],
      ['objectPurged', { organizationId: admin.organizationId, kind: 'model', id: model.id }],
      ['sourceDeleted', { source: expect.objectContaining({ id: source.id, uuid: source.uuid }) }],
      ['objectPurged', { organizationId: admin.organizationId, kind: 'data_source', id: source.id }],
    ]);
  });
});
