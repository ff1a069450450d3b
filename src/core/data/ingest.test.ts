import { afterAll, describe, expect, it } from 'vitest';
import type { JsonScalar } from '../../engines/types.ts';
import { type Harness, messageOf, openHarness, principalFor } from './test-support.ts';
import type { DataSource } from './types.ts';

const developer = principalFor('developer');
const editor = principalFor('editor');
const admin = principalFor('admin');

async function rowsOf(h: Harness, source: DataSource): Promise<JsonScalar[][]> {
  const preview = await h.query.preview(admin, source.id, 1000);
  return [...preview.rows].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

describe.each(['sqlite', 'postgres'] as const)('storage ingestion on %s metadata', async (kind) => {
  const harness = await openHarness(kind);
  afterAll(async () => harness?.close());
  const h = harness!;
  let products: DataSource;

  it.skipIf(!harness)('creates a storage source with declared columns and primary key', async () => {
    products = await h.data.sources.create(developer, {
      type: 'storage',
      name: 'products',
      columns: [
        { name: 'sku', type: 'string' },
        { name: 'Quantity', type: 'integer' },
        { name: 'price', type: 'number' },
        { name: 'available', type: 'boolean' },
        { name: 'since', type: 'date' },
        { name: 'updated', type: 'datetime' },
      ],
      primaryKey: ['sku'],
    });
    expect(products).toMatchObject({
      type: 'storage',
      schema: 'storage',
      table: `ds_${products.id}`,
      version: 1,
    });
    expect(products.columns[0]).toEqual({
      name: 'sku',
      type: 'string',
      nativeType: 'VARCHAR',
      nullable: false,
    });
    expect(
      await messageOf(h.data.sources.create(editor, { type: 'storage', name: 'x', columns: [] })),
    ).toMatch(/^ERR_FORBIDDEN/);
    expect(
      await messageOf(
        h.data.sources.create(developer, {
          type: 'storage',
          name: 'x',
          columns: [{ name: '', type: 'string' }],
        }),
      ),
    ).toContain('columns[0].name: column name must not be empty');
    expect(
      await messageOf(
        h.data.sources.create(developer, {
          type: 'storage',
          name: 'x',
          columns: [{ name: 'x'.repeat(129), type: 'string' }],
        }),
      ),
    ).toContain('longer than 128');
  });

  it.skipIf(!harness)(
    'inserts object rows and array rows, missing columns NULL, and bumps the version',
    async () => {
      const first = await h.data.ingestor.pushRows(editor, products.uuid, {
        mode: 'insert',
        rows: [
          {
            sku: 'a',
            Quantity: 1,
            price: 2.5,
            available: true,
            since: '2024-01-01',
            updated: '2024-01-01T10:00:00Z',
          },
          { sku: 'b', Quantity: '2' },
        ],
      });
      expect(first).toEqual({ rows: 2, version: 2 });
      const second = await h.data.ingestor.pushRows(editor, products.id, {
        mode: 'insert',
        columns: ['price', 'sku'],
        rows: [[9, 'c']],
      });
      expect(second.version).toBe(3);
      expect(await rowsOf(h, products)).toEqual([
        ['a', 1, 2.5, true, '2024-01-01', '2024-01-01T10:00:00.000Z'],
        ['b', 2, null, null, null, null],
        ['c', null, 9, null, null, null],
      ]);
      expect(h.changes).toEqual([
        [products.id, h.embedded.id],
        [products.id, h.embedded.id],
      ]);
    },
  );

  it.skipIf(!harness)('rejects a bad batch whole, naming the row and column', async () => {
    const before = await rowsOf(h, products);
    const bad = h.data.ingestor.pushRows(editor, products.id, {
      mode: 'insert',
      rows: [
        { sku: 'd', Quantity: 4 },
        ...Array.from({ length: 10 }, (_, i) => ({ sku: `e${i}` })),
        { sku: 'z', Quantity: 'abc' },
      ],
    });
    expect(await messageOf(bad)).toBe('ERR_VALIDATION rows[12].Quantity: expected integer, got "abc"');
    expect(
      await messageOf(
        h.data.ingestor.pushRows(editor, products.id, {
          mode: 'insert',
          rows: [{ sku: 'q', colour: 'red' }],
        }),
      ),
    ).toBe('ERR_VALIDATION rows[1].colour: unknown column');
    expect(
      await messageOf(
        h.data.ingestor.pushRows(editor, products.id, { mode: 'upsert', rows: [{ price: 1 }] }),
      ),
    ).toBe('ERR_VALIDATION rows[1].sku: primary key value required');
    expect(
      await messageOf(
        h.data.ingestor.pushRows(editor, products.id, { mode: 'insert', rows: [{ sku: 'a' }] }),
      ),
    ).toMatch(/^ERR_CONFLICT/);
    expect(
      await messageOf(
        h.data.ingestor.pushRows(principalFor('viewer'), products.id, { mode: 'insert', rows: [] }),
      ),
    ).toMatch(/^ERR_FORBIDDEN/);
    expect(await rowsOf(h, products)).toEqual(before);
    expect((await h.data.sources.get(admin, products.id)).version).toBe(3);
  });

  it.skipIf(!harness)(
    'ignores unknown columns on request, upserts and deletes by key, replaces',
    async () => {
      await h.data.ingestor.pushRows(editor, products.id, {
        mode: 'upsert',
        ignoreUnknownColumns: true,
        rows: [
          { sku: 'a', Quantity: 10, colour: 'red' },
          { sku: 'd', Quantity: 4 },
          { sku: 'd', Quantity: 5 },
        ],
      });
      let rows = await rowsOf(h, products);
      expect(rows.map((r) => [r[0], r[1]])).toEqual([
        ['a', 10],
        ['b', 2],
        ['c', null],
        ['d', 5],
      ]);
      const deleted = await h.data.ingestor.pushRows(editor, products.id, {
        mode: 'delete',
        rows: [{ sku: 'b', price: 1 }],
      });
      expect(deleted.rows).toBe(1);
      expect(
        (await h.data.ingestor.pushRows(editor, products.id, { mode: 'delete', rows: [['c'], ['nope']] }))
          .rows,
      ).toBe(1);
      rows = await rowsOf(h, products);
      expect(rows.map((r) => r[0])).toEqual(['a', 'd']);
      const replaced = await h.data.ingestor.pushRows(editor, products.id, {
        mode: 'replace',
        rows: [{ sku: 'only' }],
      });
      expect(replaced).toEqual({ rows: 1, version: 7 });
      expect((await rowsOf(h, products)).map((r) => r[0])).toEqual(['only']);
    },
  );

  it.skipIf(!harness)('infers columns from the first batch of a source declared without them', async () => {
    const events = await h.data.sources.create(developer, { type: 'storage', name: 'events' });
    expect(events.columns).toEqual([]);
    await h.data.ingestor.pushRows(editor, events.uuid, {
      mode: 'insert',
      rows: [
        { at: '2024-05-01T08:00:00', user: 'u1', n: 1, ok: true },
        { at: '2024-05-02T08:00:00', user: 'u2', n: 2.5 },
      ],
    });
    const typed = await h.data.sources.get(admin, events.id);
    expect(typed.columns.map((c) => [c.name, c.type])).toEqual([
      ['at', 'datetime'],
      ['user', 'string'],
      ['n', 'number'],
      ['ok', 'boolean'],
    ]);
    expect((await h.data.models.resolveModel(principalFor('viewer'), events.uuid)).version).toBe(2);
  });

  it.skipIf(!harness)('keeps the managed table of a trashed source and drops it on purge', async () => {
    const temporary = await h.data.sources.create(developer, {
      type: 'storage',
      name: 'tmp',
      columns: [{ name: 'x', type: 'integer' }],
    });
    const storage = await h.data.sources.storageOf(temporary);
    await h.data.sources.delete(developer, temporary.uuid);
    expect(await storage.countRows(temporary.table!)).toBe(0);
    await h.data.trash.purge(developer, 'data_source', temporary.id);
    expect(await messageOf(storage.countRows(temporary.table!))).toMatch(/^ERR_NOT_FOUND/);
    expect(await messageOf(h.data.sources.get(admin, temporary.id))).toMatch(/^ERR_NOT_FOUND/);
  });
});
