import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { excelNumberFormat, writeXlsx } from './xlsx.ts';

const dir = mkdtempSync(join(tmpdir(), 'rosetta-xlsx-format-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('XLSX number formats from the widget', () => {
  it('maps each number format to the Excel format that shows the same', () => {
    const fallback = '#,##0.00';
    expect(excelNumberFormat({}, fallback)).toBe(fallback);
    expect(excelNumberFormat({ format: 'currency', currency: 'EUR', decimals: 2 }, fallback)).toBe(
      '"€"#,##0.00',
    );
    expect(excelNumberFormat({ format: 'currency', currency: 'JPY' }, fallback)).toBe('"¥"#,##0');
    expect(excelNumberFormat({ format: 'currency' }, fallback)).toBe('"$"#,##0.00');
    expect(excelNumberFormat({ format: 'percent', decimals: 1 }, fallback)).toBe('0.0%');
    expect(excelNumberFormat({ format: 'percent', decimals: 0 }, fallback)).toBe('0%');
    expect(excelNumberFormat({ format: 'integer' }, fallback)).toBe('#,##0');
    expect(excelNumberFormat({ decimals: 3 }, fallback)).toBe('#,##0.000');
    // compact: the cell holds the exact value, shown in the column's own format
    expect(excelNumberFormat({ format: 'compact' }, fallback)).toBe(fallback);
    expect(excelNumberFormat({ prefix: '~"', suffix: ' units', decimals: 0 }, fallback)).toBe(
      '"~"#,##0" units"',
    );
  });

  it('writes numeric columns in the format, identifiers and text untouched', async () => {
    const file = join(dir, 'formats.xlsx');
    await writeXlsx(
      [
        {
          name: 'Revenue',
          columns: [
            { name: 'country', type: 'string' },
            { name: 'store_id', type: 'integer' },
            { name: 'revenue', type: 'number', nativeType: 'DOUBLE' },
            { name: 'orders', type: 'integer' },
          ],
          rows: [['France', 1234567, 1234.5, 12]],
          format: { format: 'currency', currency: 'EUR', decimals: 2 },
        },
      ],
      file,
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    const cells = [1, 2, 3, 4].map((i) => workbook.worksheets[0].getRow(2).getCell(i));
    expect(cells.map((c) => c.value)).toEqual(['France', 1234567, 1234.5, 12]);
    expect(cells.map((c) => c.numFmt)).toEqual([undefined, '0', '"€"#,##0.00', '"€"#,##0.00']);
  });
});
