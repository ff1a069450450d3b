import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
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
    expect(sales.getRow(1).values).toEqual([undefined, 'country', 'sum_price', 'big', 'day', 'at', 'ok']);
    expect(sales.getRow(1).font?.bold).toBe(true);
    const first = sales.getRow(2);
    expect(first.getCell(1).value).toBe('France');
    expect(first.getCell(2).value).toBe(12.5);
    expect(first.getCell(3).value).toBe('9007199254740993');
    expect(first.getCell(4).value).toEqual(new Date('2024-03-01T00:00:00Z'));
    expect(first.getCell(5).value).toEqual(new Date('2024-03-01T10:20:30Z'));
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
      ["'@who", 'n'],
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
});
