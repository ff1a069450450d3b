import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../engines/duckdb/engine.ts';
import { syntheticRowStream } from './samples.ts';
import { writeXlsx } from './xlsx.ts';

const dir = mkdtempSync(join(tmpdir(), 'rosetta-xlsx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeXlsx', () => {
  it('writes typed cells with a bold header, one sheet per input, read back the same', async () => {
    const file = join(dir, 'dashboard.xlsx');
    const stream = syntheticRowStream(2_500, 1000);
    await writeXlsx(
      [
        {
          name: 'Sales: by/country?',
          columns: [
            { name: 'country', type: 'string' },
            { name: 'sum_price', type: 'number' },
            { name: 'big', type: 'integer' },
            { name: 'day', type: 'date' },
            { name: 'at', type: 'datetime' },
            { name: 'ok', type: 'boolean' },
          ],
          rows: [
            ['France', 12.5, '9007199254740993', '2024-03-01', '2024-03-01T10:20:30', true],
            [null, 3, '42', null, null, false],
          ],
        },
        { name: 'Synthetic', columns: stream.columns, rows: stream.batches },
      ],
      file,
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Sales  by country', 'Synthetic']);
    const sales = workbook.worksheets[0];
    expect(sales.getRow(1).values).toEqual([undefined, 'Country', 'Sum of price', 'Big', 'Day', 'At', 'Ok']);
    expect(sales.getRow(1).font?.bold).toBe(true);
    const first = sales.getRow(2);
    expect(first.getCell(1).value).toBe('France');
    expect(first.getCell(2).value).toBe(12.5);
    expect(first.getCell(3).value).toBe('9007199254740993');
    expect(first.getCell(4).value).toEqual(new Date('2024-03-01T00:00:00Z'));
    expect(first.getCell(5).value).toEqual(new Date('2024-03-01T10:20:30Z'));
    expect([4, 5].map((i) => first.getCell(i).numFmt)).toEqual(['yyyy-mm-dd', 'yyyy-mm-dd hh:mm:ss']);
    expect(first.getCell(6).value).toBe(true);
    expect(sales.getRow(3).getCell(1).value).toBeNull();
    expect(sales.getRow(3).getCell(3).value).toBe(42);

    const synthetic = workbook.worksheets[1];
    expect(synthetic.rowCount).toBe(2_501);
    expect(synthetic.getRow(2).values).toEqual([
      undefined,
      0,
      'customer 0',
      0,
      new Date('2024-01-01T00:00:00Z'),
      true,
    ]);
    expect(synthetic.getRow(2501).getCell(1).value).toBe(2_499);
  });

  it('writes text that starts like a formula as a quote-prefixed string cell, numbers as numbers', async () => {
    const sheet = {
      name: 'Hostile',
      columns: [
        { name: '@who', type: 'string' as const },
        { name: 'n', type: 'number' as const },
      ],
      rows: [
        ['=1+2', -5],
        ['-5', 3],
        ['+cmd|calc', null],
        ['plain', null],
      ],
    };
    const read = async (file: string) => {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(file);
      const rows: ExcelJS.Row[] = [];
      workbook.worksheets[0].eachRow((row) => rows.push(row));
      return rows;
    };
    const escaped = join(dir, 'hostile.xlsx');
    await writeXlsx([sheet], escaped);
    const rows = await read(escaped);
    expect(rows.map((row) => (row.values as unknown[]).slice(1))).toEqual([
      ["'@who", 'N'],
      ["'=1+2", -5],
      ["'-5", 3],
      ["'+cmd|calc"],
      ['plain'],
    ]);
    for (const row of rows) expect(row.getCell(1).type).toBe(ExcelJS.ValueType.String);

    const raw = join(dir, 'hostile-raw.xlsx');
    await writeXlsx([sheet], raw, { escapeFormulas: false });
    const rawRows = await read(raw);
    expect(rawRows[1].getCell(1).value).toBe('=1+2');
    // Still a string cell, never a formula.
    expect(rawRows[1].getCell(1).type).toBe(ExcelJS.ValueType.String);
  });

  it('writes DOUBLE sums without float noise, DECIMAL sums with all their digits, in number formats', async () => {
    // 62 prices in whole cents: their DOUBLE sum is 31443.39000000001, the true total 31443.39.
    const cents = Array.from({ length: 62 }, (_, i) => (i === 61 ? 1_047_220 : ((i + 1) * 1109) % 100_000));
    const total = cents.reduce((a, b) => a + b, 0) / 100;
    const engine = new DuckDbEngine({ type: 'duckdb', file: join(dir, 'numbers.duckdb'), poolSize: 1 });
    try {
      const sql = `
        SELECT 'all' AS country, 1234567 AS order_id, count(*) AS count_distinct_order_id,
               sum(price) AS sum_price, sum(exact) AS sum_amount, avg(price) AS avg_price
        FROM (SELECT (CASE WHEN i = 62 THEN 10472.20 ELSE ((i * 1109) % 100000) / 100.0 END) :: DOUBLE AS price,
                     CASE WHEN i = 1 THEN 1234567890000.000 WHEN i = 2 THEN 123.456 ELSE 0 END
                       :: DECIMAL(18,3) AS exact
              FROM range(1, 63) r(i))`;
      const stream = await engine.stream({ sql, params: [] }, {});
      const batches: unknown[][][] = [];
      const file = join(dir, 'numbers.xlsx');
      await writeXlsx(
        [
          {
            name: 'Numbers',
            columns: stream.columns,
            rows: (async function* () {
              for await (const batch of stream.batches) {
                batches.push(batch);
                yield batch;
              }
            })(),
          },
        ],
        file,
      );
      // What the engine delivered: the noise is real, and the DECIMAL sum is a 16-digit double.
      const [row] = batches.flat();
      expect(total).toBe(31443.39);
      expect(row[3]).toBe(31443.39000000001);
      expect(row[4]).toBe(1234567890123.456);
      expect(stream.columns.map((c) => c.nativeType)).toEqual([
        'VARCHAR',
        'INTEGER',
        'BIGINT',
        'DOUBLE',
        'DECIMAL(38,3)',
        'DOUBLE',
      ]);

      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(file);
      const sheet = workbook.worksheets[0];
      expect(sheet.getRow(1).values).toEqual([
        undefined,
        'Country',
        'Order id',
        'Distinct order id',
        'Sum of price',
        'Sum of amount',
        'Average price',
      ]);
      const cells = [1, 2, 3, 4, 5, 6].map((i) => sheet.getRow(2).getCell(i));
      expect(cells.map((c) => c.value)).toEqual([
        'all',
        1234567,
        62,
        31443.39,
        1234567890123.456,
        Number((total / 62).toPrecision(15)),
      ]);
      expect(cells[3].value).toBe(total);
      expect(cells.map((c) => c.numFmt)).toEqual([
        undefined,
        '0',
        '#,##0',
        '#,##0.00',
        '#,##0.000',
        '#,##0.00',
      ]);
    } finally {
      await engine.close();
    }
  });

  it('keeps numeric text that no double holds as text, and converts the rest', async () => {
    const file = join(dir, 'text-numbers.xlsx');
    await writeXlsx(
      [
        {
          name: 'Text',
          columns: [{ name: 'amount', type: 'number', nativeType: 'DECIMAL(38,10)' }],
          rows: [['12345678901234567890.1234567890'], ['1234.5000000000'], ['NaN']],
        },
      ],
      file,
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    const values = [2, 3, 4].map((r) => workbook.worksheets[0].getRow(r).getCell(1).value);
    expect(values).toEqual(['12345678901234567890.1234567890', 1234.5, 'NaN']);
    expect(workbook.worksheets[0].getRow(2).getCell(1).numFmt).toBe('#,##0.0000000000');
  });
});
