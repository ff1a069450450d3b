import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { messageOf, openHarness, principalFor } from './test-support.ts';
import type { DataSource, ModelInput } from './types.ts';

const developer = principalFor('developer');
const viewer = principalFor('viewer');

describe.each(['sqlite', 'postgres'] as const)('models on %s metadata', async (kind) => {
  const harness = await openHarness(kind);
  afterAll(async () => harness?.close());
  const h = harness!;
  let orders: DataSource;
  let customers: DataSource;
  const input = (): ModelInput => ({
    name: 'sales',
    connectionId: h.embedded.id,
    baseTable: 'orders',
    tables: [
      { name: 'orders', dataSource: orders.uuid },
      { name: 'customers', dataSource: customers.uuid },
    ],
    joins: [
      { table: 'customers', type: 'left', on: [{ left: 'orders.customer_id', right: 'customers.id' }] },
    ],
    dimensions: [
      { name: 'country', table: 'customers', column: 'country' } as ModelInput['dimensions'][number],
    ],
    metrics: [
      { name: 'revenue', table: 'orders', aggregation: 'sum', column: 'amount' },
      { name: 'count', table: 'orders', aggregation: 'count' },
      { name: 'basket', table: 'orders', formula: 'revenue / count' },
    ],
    policies: [{ field: 'country', attribute: 'country' }],
  });

  it.skipIf(!harness)('creates a model over storage sources and resolves it by name', async () => {
    orders = await h.data.sources.create(developer, {
      type: 'storage',
      name: 'orders',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'customer_id', type: 'integer' },
        { name: 'amount', type: 'number' },
      ],
      primaryKey: ['id'],
    });
    customers = await h.data.sources.create(developer, {
      type: 'storage',
      name: 'customers',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'country', type: 'string' },
      ],
    });
    const model = await h.data.models.create(developer, input());
    expect(model.dimensions[0].type).toBe('string');
    const resolved = await h.data.models.resolveModel(viewer, 'sales');
    expect(resolved).toMatchObject({
      name: 'sales',
      baseTable: 'orders',
      tables: [
        { name: 'orders', relation: { kind: 'table', schema: 'storage', table: orders.table } },
        { name: 'customers', relation: { kind: 'table', schema: 'storage', table: customers.table } },
      ],
      dataSourceIds: [orders.id, customers.id],
      version: 3,
    });
    await h.data.ingestor.pushRows(principalFor('editor'), orders.id, {
      mode: 'insert',
      rows: [{ id: 1, amount: 3 }],
    });
    expect((await h.data.models.resolveModel(viewer, 'sales')).version).toBe(4);
    expect((await h.data.models.get(viewer, model.uuid)).name).toBe('sales');
  });

  it.skipIf(!harness)('rejects invalid models naming the path, duplicates and missing rights', async () => {
    expect(await messageOf(h.data.models.create(developer, input()))).toMatch(
      /^ERR_CONFLICT a model named "sales"/,
    );
    expect(await messageOf(h.data.models.create(viewer, input()))).toMatch(/^ERR_FORBIDDEN/);
    const bad = { ...input(), name: 'bad' };
    bad.metrics = [...bad.metrics, { name: 'margin', table: 'orders', formula: 'revenue - cost' }];
    expect(await messageOf(h.data.models.create(developer, bad))).toBe(
      'ERR_VALIDATION metrics[3].formula: unknown metric "cost"',
    );
    const badColumn = {
      ...input(),
      name: 'bad',
      dimensions: [{ name: 'x', table: 'orders', column: 'nope', type: 'string' as const }],
    };
    expect(await messageOf(h.data.models.create(developer, badColumn))).toBe(
      'ERR_VALIDATION dimensions[0].column: unknown column "nope" in table "orders"',
    );
    const badSource = {
      ...input(),
      name: 'bad',
      tables: [{ name: 'orders', dataSource: 'f0000000-0000-4000-8000-000000000000' }],
    };
    expect(await messageOf(h.data.models.create(developer, badSource))).toMatch(
      /^ERR_VALIDATION tables\[0\]\.dataSource/,
    );
    expect(await messageOf(h.data.models.update(developer, 'sales', { baseTable: 'customers' }))).toMatch(
      /^ERR_VALIDATION joins\[0\]\.table: table "customers" is already in the model/,
    );
  });

  it.skipIf(!harness)(
    'holds one model of a name per project; a shared name reaches the caller’s',
    async () => {
      const addProject = async (name: string) => {
        const now = new Date().toISOString();
        const row = await h.store.db
          .insertInto('projects')
          .values({
            uuid: randomUUID(),
            organization_id: 1,
            name,
            is_default: 0,
            created_at: now,
            updated_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return row.id;
      };
      const [preview, staging] = [await addProject('Preview'), await addProject('Staging')];
      const inPreview = await h.data.models.create(developer, { ...input(), projectId: preview });
      expect(inPreview.projectId).toBe(preview);
      expect(await messageOf(h.data.models.create(developer, { ...input(), projectId: preview }))).toMatch(
        /^ERR_CONFLICT a model named "sales" already exists in this project/,
      );
      // The caller's (default) project's model wins over the other project's; the uuid reaches either.
      const fromDefault = await h.data.models.get(viewer, 'sales');
      expect(fromDefault.projectId).toBe(1);
      expect((await h.data.models.get(viewer, inPreview.uuid)).projectId).toBe(preview);
      const count = (source: string) => ({ source, metrics: [{ aggregation: 'count' }] });
      expect((await h.query.run(developer, count(inPreview.uuid))).rows).toEqual(
        (await h.query.run(developer, count('sales'))).rows,
      );
      // Moving a model into a project that holds its name is refused and changes nothing.
      expect(await messageOf(h.data.models.update(developer, inPreview.uuid, { projectId: 1 }))).toMatch(
        /^ERR_CONFLICT a model named "sales" already exists in this project/,
      );
      expect((await h.data.models.get(viewer, inPreview.uuid)).projectId).toBe(preview);
      // Two projects other than the caller's hold the name: the name alone is ambiguous.
      const inStaging = await h.data.models.create(developer, {
        ...input(),
        name: 'shared',
        projectId: staging,
      });
      await h.data.models.create(developer, { ...input(), name: 'shared', projectId: preview });
      expect(await messageOf(h.data.models.resolveModel(viewer, 'shared'))).toMatch(
        /^ERR_VALIDATION source: models named "shared" exist in several projects/,
      );
      expect((await h.data.models.resolveModel(viewer, inStaging.uuid)).name).toBe('shared');
      for (const model of await h.data.models.list(developer))
        if (model.projectId !== 1) await h.data.models.delete(developer, model.uuid);
    },
  );

  it.skipIf(!harness)('scopes resolution and protects sources used by models', async () => {
    expect(await messageOf(h.data.models.resolveModel(viewer, 'nothing'))).toBe(
      'ERR_NOT_FOUND data source or model "nothing" not found',
    );
    expect(
      await messageOf(h.data.models.resolveModel(principalFor('viewer', { organizationId: 2 }), 'sales')),
    ).toMatch(/^ERR_NOT_FOUND/);
    // A data-API key queries only models all of whose tables are its sources.
    const dataKey = (ids: number[]) =>
      principalFor('interactive_viewer', { kind: 'dataKey', dataSourceIds: ids });
    const restricted = dataKey([orders.id]);
    const count = (source: string) => ({ source, metrics: [{ aggregation: 'count' }] });
    expect(await messageOf(h.query.run(restricted, count('sales')))).toMatch(
      new RegExp(`^ERR_FORBIDDEN not allowed to read the data source\\(s\\) ${customers.id}`),
    );
    expect((await h.query.run(restricted, count(orders.uuid))).rows).toHaveLength(1);
    // Listing and reading follow the same rule: every source of the model must be allowed.
    expect(await h.data.models.list(restricted)).toEqual([]);
    expect(await messageOf(h.data.models.get(restricted, 'sales'))).toMatch(/^ERR_NOT_FOUND/);
    const both = dataKey([orders.id, customers.id]);
    expect((await h.query.run(both, count('sales'))).rows).toHaveLength(1);
    expect((await h.data.models.list(both)).map((m) => m.name)).toEqual(['sales']);
    expect((await h.data.models.get(both, 'sales')).name).toBe('sales');
    expect(await messageOf(h.data.sources.delete(developer, customers.id))).toBe(
      'ERR_CONFLICT data source is used by models "sales"',
    );
    await h.data.models.delete(developer, 'sales');
    await h.data.sources.delete(developer, customers.id);
  });

  it.skipIf(!harness)('describes sql sources, for developers only', async () => {
    const sql = `SELECT id, amount * 2 AS doubled FROM storage.${orders.table}`;
    expect(
      await messageOf(
        h.data.sources.create(principalFor('editor'), {
          type: 'sql',
          name: 'q',
          connectionId: h.embedded.id,
          sql,
        }),
      ),
    ).toMatch(/^ERR_FORBIDDEN/);
    expect(
      await messageOf(
        h.data.sources.create(developer, {
          type: 'sql',
          name: 'q',
          connectionId: h.embedded.id,
          sql: 'DROP TABLE x',
        }),
      ),
    ).toBe('ERR_VALIDATION sql: must be a SELECT statement');
    const source = await h.data.sources.create(developer, {
      type: 'sql',
      name: 'q',
      connectionId: h.embedded.id,
      sql,
    });
    expect(source.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'integer'],
      ['doubled', 'number'],
    ]);
    expect((await h.query.preview(principalFor('interactive_viewer'), source.uuid, 5)).rows).toEqual([
      [1, 6],
    ]);
    const model = await h.data.models.resolveModel(viewer, source.uuid);
    expect(model.tables[0]).toEqual({ name: 'source', relation: { kind: 'sql', sql } });
  });
});
