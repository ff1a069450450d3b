import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { messageOf, openHarness, principalFor } from './test-support.ts';

const developer = principalFor('developer');
const editor = principalFor('editor');

const csv = ['day;shop;quantity;amount', '2024-01-01;Paris;3;10,5', '2024-01-02;"Lyon; Centre";4;2', ''].join(
  '\n',
);

describe.each(['sqlite', 'postgres'] as const)('CSV loading on %s metadata', async (kind) => {
  const harness = await openHarness(kind);
  afterAll(async () => harness?.close());
  const h = harness!;
  const file = (name: string, content: string | Buffer): string => {
    const path = join(h.dataDir, name);
    writeFileSync(path, content);
    return path;
  };

  it.skipIf(!harness)('creates columns from the header with forced types, plain and gzip', async () => {
    const source = await h.data.sources.create(developer, { type: 'storage', name: 'sales' });
    const plain = await h.data.ingestor.loadCsv(editor, source.uuid, file('a.csv', csv), {
      mode: 'replace',
      delimiter: ';',
      types: { quantity: 'integer', shop: 'string', amount: 'string' },
    });
    expect(plain).toEqual({ rows: 2, version: 2 });
    const typed = await h.data.sources.get(developer, source.id);
    expect(typed.columns.map((c) => [c.name, c.type])).toEqual([
      ['day', 'date'],
      ['shop', 'string'],
      ['quantity', 'integer'],
      ['amount', 'string'],
    ]);
    const appended = await h.data.ingestor.loadCsv(editor, source.id, file('b.csv.gz', gzipSync(csv)), {
      mode: 'append',
      delimiter: ';',
    });
    expect(appended).toEqual({ rows: 2, version: 3 });
    const preview = await h.query.preview(developer, source.id, 10);
    expect(preview.rows).toHaveLength(4);
    expect(preview.rows[1]).toEqual(['2024-01-02', 'Lyon; Centre', 4, '2']);
  });

  it.skipIf(!harness)(
    'loads into declared columns, leaving missing ones NULL, and names bad values',
    async () => {
      const source = await h.data.sources.create(developer, {
        type: 'storage',
        name: 'stock',
        columns: [
          { name: 'shop', type: 'string' },
          { name: 'quantity', type: 'integer' },
          { name: 'note', type: 'string' },
        ],
      });
      await h.data.ingestor.loadCsv(editor, source.id, file('c.csv', 'quantity,shop\n1,A\n2,B\n'), {
        mode: 'append',
      });
      const bad = file('d.csv', 'quantity,shop\n5,C\nabc,D\n');
      expect(await messageOf(h.data.ingestor.loadCsv(editor, source.id, bad, { mode: 'replace' }))).toMatch(
        /^ERR_VALIDATION line 3, column "quantity": expected integer, got "abc"/,
      );
      const unknown = file('e.csv', 'shop,colour\nA,red\n');
      expect(await messageOf(h.data.ingestor.loadCsv(editor, source.id, unknown, { mode: 'append' }))).toBe(
        'ERR_VALIDATION header[2]: unknown column "colour"',
      );
      expect(
        await messageOf(h.data.ingestor.loadCsv(editor, source.id, bad, { mode: 'append', delimiter: ';;' })),
      ).toMatch(/^ERR_VALIDATION delimiter/);
      const rows = (await h.query.preview(developer, source.id, 10)).rows;
      expect(rows).toEqual([
        ['A', 1, null],
        ['B', 2, null],
      ]);
      expect((await h.data.sources.get(developer, source.id)).version).toBe(2);
    },
  );
});
