import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import { isRosettaError } from '../errors.ts';
import { EMBEDDED_CONNECTION_NAME } from './connections.ts';
import { ORGANIZATION_ID, openHarness, principalFor } from './test-support.ts';

const admin = principalFor('admin');
const developer = principalFor('developer');

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isRosettaError(error) ? `${error.code} ${error.message}` : String(error);
  }
  return 'resolved';
}

describe.each(['sqlite', 'postgres'] as const)('connections on %s metadata', async (kind) => {
  const harness = await openHarness(kind);
  const warehouse = await createTempPostgres('rosetta_wh');
  afterAll(async () => {
    await harness?.close();
    await warehouse.drop();
  });
  const h = harness!;

  it.skipIf(!harness)('has one built-in embedded DuckDB that cannot be deleted or changed', async () => {
    expect(h.embedded).toMatchObject({
      name: EMBEDDED_CONNECTION_NAME,
      type: 'duckdb',
      builtin: true,
      file: 'warehouse.duckdb',
    });
    expect((await h.data.connections.ensureEmbedded(ORGANIZATION_ID)).id).toBe(h.embedded.id);
    expect(await codeOf(h.data.connections.delete(admin, h.embedded.id))).toMatch(/^ERR_CONFLICT/);
    expect(await codeOf(h.data.connections.update(admin, h.embedded.id, { name: 'x' }))).toMatch(
      /^ERR_CONFLICT/,
    );
    await h.data.connections.test(developer, h.embedded.uuid);
  });

  it.skipIf(!harness)('encrypts passwords at rest and never returns them', async () => {
    const created = await h.data.connections.create(admin, {
      name: 'Sales PG',
      type: 'postgres',
      host: '127.0.0.1',
      database: 'sales',
      user: 'reader',
      password: 'hunter2-very-secret',
    });
    expect(created).toMatchObject({ hasPassword: true, port: 5432, ssl: false });
    expect(JSON.stringify(created)).not.toContain('hunter2');
    const row = await h.store.db
      .selectFrom('connections')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain('hunter2');
    expect(row.password_secret).toMatch(/^v1\./);
    expect(JSON.stringify(await h.data.connections.list(developer))).not.toContain('hunter2');

    const renamed = await h.data.connections.update(admin, created.id, { name: 'Sales' });
    expect(renamed).toMatchObject({ name: 'Sales', hasPassword: true });
    const cleared = await h.data.connections.update(admin, created.uuid, { password: null });
    expect(cleared.hasPassword).toBe(false);
    await h.data.connections.delete(admin, created.id);
    expect(await codeOf(h.data.connections.get(admin, created.id))).toMatch(/^ERR_NOT_FOUND/);
  });

  it.skipIf(!harness)('checks roles and input', async () => {
    const input = { name: 'x', type: 'postgres' as const, host: 'h', database: 'd', user: 'u' };
    expect(await codeOf(h.data.connections.create(developer, input))).toMatch(/^ERR_FORBIDDEN/);
    expect(await codeOf(h.data.connections.list(principalFor('editor')))).toMatch(/^ERR_FORBIDDEN/);
    expect(await codeOf(h.data.connections.create(admin, { ...input, host: '' }))).toContain(
      'host: is required',
    );
    expect(await codeOf(h.data.connections.create(admin, { ...input, port: 70000 }))).toContain('port:');
    expect(
      await codeOf(h.data.connections.create(admin, { name: 'f', type: 'duckdb', file: '../etc.duckdb' })),
    ).toContain('file:');
  });

  it.skipIf(!harness)('takes ClickHouse connections, on its HTTP port unless one is given', async () => {
    const input = { name: 'CH', type: 'clickhouse' as const, host: '127.0.0.1', database: 'd', user: 'u' };
    const created = await h.data.connections.create(admin, input);
    expect(created).toMatchObject({ type: 'clickhouse', port: 8123 });
    expect(await codeOf(h.data.connections.create(admin, { ...input, database: ' ' }))).toContain(
      'database: is required for clickhouse',
    );
    await h.data.connections.delete(admin, created.id);
  });

  it.skipIf(!harness)('does not move the server of a storage source or of a DuckDB source', async () => {
    const stored = await h.data.sources.create(admin, {
      type: 'storage',
      name: 'stored',
      columns: [{ name: 'id', type: 'integer' }],
    });
    const moved = (source: typeof stored, principal = admin) =>
      codeOf(h.data.connections.updateOfSource(principal, source, { host: 'db.example.org' }));
    expect(await moved(stored)).toBe(
      "ERR_VALIDATION host: a storage source has no server: its rows live in Rosetta's own storage",
    );
    const table = await h.data.sources.create(admin, {
      type: 'table',
      name: 'table on duckdb',
      connectionId: h.embedded.id,
      schema: stored.schema,
      table: stored.table ?? '',
    });
    expect(await moved(table, developer)).toMatch(/^ERR_FORBIDDEN/);
    expect(await moved(table)).toBe(
      'ERR_VALIDATION host: the source reads the DuckDB file "warehouse.duckdb", which has no server',
    );
    await h.data.sources.delete(admin, table.uuid);
    await h.data.sources.delete(admin, stored.uuid);
  });

  it.skipIf(!harness)('reports a failing warehouse clearly', async () => {
    const bad = await h.data.connections.create(admin, {
      name: 'Nowhere',
      type: 'postgres',
      host: '127.0.0.1',
      port: 1,
      database: 'x',
      user: 'x',
    });
    expect(await codeOf(h.data.connections.test(developer, bad.id))).toMatch(
      /^ERR_ENGINE connection "Nowhere" failed: /,
    );
    await h.data.connections.delete(admin, bad.id);
  });

  it.skipIf(!harness || !warehouse.available)(
    'introspects a table of a real PostgreSQL as a table source',
    async () => {
      const client = new pg.Client({ connectionString: warehouse.url });
      await client.connect();
      await client.query(
        `CREATE TABLE orders (id integer PRIMARY KEY, country text, amount numeric(10,2), placed date)`,
      );
      await client.query(
        `INSERT INTO orders VALUES (1, 'FR', 10.5, '2024-01-02'), (2, 'DE', 20, '2024-02-03'), (3, 'FR', 1, NULL)`,
      );
      await client.end();
      const url = new URL(warehouse.url);
      const connection = await h.data.connections.create(admin, {
        name: 'Warehouse',
        type: 'postgres',
        host: url.hostname,
        port: Number(url.port),
        database: warehouse.name,
        user: url.username,
      });
      await h.data.connections.test(developer, connection.id);
      const source = await h.data.sources.create(developer, {
        type: 'table',
        name: 'Orders',
        connectionId: connection.id,
        schema: 'public',
        table: 'orders',
        policies: [{ field: 'country', attribute: 'country' }],
      });
      expect(source.columns.map((c) => [c.name, c.type])).toEqual([
        ['id', 'integer'],
        ['country', 'string'],
        ['amount', 'number'],
        ['placed', 'date'],
      ]);
      const preview = await h.query.preview(
        principalFor('interactive_viewer', { attributes: { country: ['FR'] } }),
        source.uuid,
        10,
      );
      expect(preview.rows.map((r) => r[0]).sort()).toEqual([1, 3]);
      expect((await h.query.preview(principalFor('interactive_viewer'), source.id, 10)).rows).toEqual([]);
      expect((await h.query.preview(admin, source.id, 2)).rows).toHaveLength(2);

      const model = await h.data.models.resolveModel(principalFor('viewer'), source.uuid);
      expect(model).toMatchObject({
        baseTable: 'source',
        tables: [{ name: 'source', relation: { kind: 'table', schema: 'public', table: 'orders' } }],
        connectionId: connection.id,
        dataSourceIds: [source.id],
        policies: [{ field: 'country', attribute: 'country' }],
      });
      // The native type lets the query core check that a filter value fits the column.
      expect(model.dimensions[2]).toEqual({
        name: 'amount',
        table: 'source',
        column: 'amount',
        type: 'number',
        nativeType: 'numeric',
      });
      expect(await codeOf(h.data.connections.delete(admin, connection.id))).toMatch(/^ERR_CONFLICT/);
    },
  );
});
