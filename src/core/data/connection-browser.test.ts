import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTempPostgres } from '../../../test/support/databases.ts';
import { messageOf, openHarness, principalFor } from './test-support.ts';

const admin = principalFor('admin');
const developer = principalFor('developer');
const editor = principalFor('editor');

describe('connection browser', async () => {
  const harness = await openHarness('sqlite');
  const warehouse = await createTempPostgres('rosetta_browse');
  afterAll(async () => {
    await harness?.close();
    await warehouse.drop();
  });
  const h = harness!;
  const url = warehouse.available ? new URL(warehouse.url) : undefined;
  const unsaved = () => ({
    input: {
      name: 'unsaved',
      type: 'postgres' as const,
      host: url?.hostname ?? '',
      port: Number(url?.port || 5432),
      database: warehouse.name,
      user: decodeURIComponent(url?.username ?? ''),
    },
  });

  it('browses a saved connection: its tables, a count and a preview', async () => {
    const target = { ref: h.embedded.id };
    await h.data.connectionBrowser.test(developer, target);
    const schema = await h.data.connectionBrowser.schema(developer, target);
    expect(schema.dialect).toBe('duckdb');
    expect(await messageOf(h.data.connectionBrowser.schema(editor, target))).toMatch(/^ERR_FORBIDDEN/);
    expect(
      await messageOf(h.data.connectionBrowser.countRows(developer, target, { table: 'no_such_table' })),
    ).toMatch(/^ERR_NOT_FOUND/);
  });

  it.skipIf(!warehouse.available)('tests, counts and previews unsaved parameters (admins only)', async () => {
    const client = new pg.Client({ connectionString: warehouse.url });
    await client.connect();
    await client.query(
      'CREATE TABLE items (id int, label text); INSERT INTO items VALUES (1, $$a$$), (2, $$b$$)',
    );
    await client.end();
    await h.data.connectionBrowser.test(admin, unsaved());
    expect(await messageOf(h.data.connectionBrowser.test(developer, unsaved()))).toMatch(/^ERR_FORBIDDEN/);
    const schema = await h.data.connectionBrowser.schema(admin, unsaved());
    expect(schema.schemas.find((s) => s.name === 'public')?.tables.map((t) => t.name)).toContain('items');
    expect(
      await h.data.connectionBrowser.countRows(admin, unsaved(), { schema: 'public', table: 'items' }),
    ).toBe(2);
    const preview = await h.data.connectionBrowser.previewRows(admin, unsaved(), { table: 'items' }, 1);
    expect(preview.rows).toEqual([[1, 'a']]);
    expect(preview.truncated).toBe(true);
    expect(
      await messageOf(h.data.connectionBrowser.previewRows(admin, unsaved(), { table: 'items' }, 0)),
    ).toMatch(/^ERR_VALIDATION/);
  });

  it('refuses a server that does not answer, and unsaved DuckDB files', async () => {
    const bad = {
      input: { name: 'x', type: 'postgres' as const, host: '127.0.0.1', port: 1, database: 'd', user: 'u' },
    };
    expect(await messageOf(h.data.connectionBrowser.test(admin, bad))).toMatch(/^ERR_ENGINE/);
    const duck = { input: { name: 'x', type: 'duckdb' as const, file: 'warehouse.duckdb' } };
    expect(await messageOf(h.data.connectionBrowser.test(admin, duck))).toMatch(/^ERR_VALIDATION/);
    const incomplete = { input: { name: 'x', type: 'postgres' as const, host: 'h', database: 'd' } };
    expect(await messageOf(h.data.connectionBrowser.test(admin, incomplete))).toMatch(
      /ERR_VALIDATION.*user|user/,
    );
  });
});
