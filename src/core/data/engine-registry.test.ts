import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, openHarness, principalFor } from './test-support.ts';

/** `revalidate`: what a node does when it may have missed another node's connection changes. */
let harness: Harness;
beforeAll(async () => {
  harness = (await openHarness('sqlite')) as Harness;
});
afterAll(() => harness.close());

describe('revalidating the open engines', () => {
  it('closes the engine of a connection changed or trashed behind its back, and keeps the others', async () => {
    const admin = principalFor('admin');
    const create = (name: string) =>
      harness.data.connections.create(admin, {
        name,
        type: 'postgres',
        host: '127.0.0.1',
        port: 5432,
        database: name,
        user: 'postgres',
      });
    const [kept, moved, trashed] = [await create('kept'), await create('moved'), await create('trashed')];
    const { registry } = harness.data;
    const before = await Promise.all([kept, moved, trashed].map((each) => registry.engineFor(each.id)));

    // As another node would, without this node's registry hearing of it.
    await harness.store.db
      .updateTable('connections')
      .set({ database_name: 'elsewhere' })
      .where('id', '=', moved.id)
      .execute();
    await harness.store.db
      .updateTable('connections')
      .set({ deleted_at: new Date().toISOString() })
      .where('id', '=', trashed.id)
      .execute();
    expect(await registry.engineFor(moved.id)).toBe(before[1]);

    await registry.revalidate();
    expect(await registry.engineFor(kept.id)).toBe(before[0]);
    expect(await registry.engineFor(moved.id)).not.toBe(before[1]);
    await expect(registry.engineFor(trashed.id)).rejects.toThrow('not found');
  });
});
