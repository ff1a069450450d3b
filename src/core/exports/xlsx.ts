/**
 * XLSX export through exceljs' streaming writer: rows are committed as they come, so a large
 * result never sits whole in memory. Cells are typed (numbers, dates, booleans), the header row
 * is bold and frozen; a sheet past Excel's row limit continues on a sheet of its own. Text is
 * always written as a string cell, never a formula; text a spreadsheet would read as a formula
 * once edited or saved as CSV also gets the quote prefix, as in CSV (`formula-cells.ts`).
 */
import ExcelJS from 'exceljs';
import { neutralizeFormula } from '../../engines/formula-cells.ts';
import type { ColumnType, JsonScalar, ResultColumn } from '../../engines/types.ts';

export interface XlsxSheet {
  name: string;
  columns: ResultColumn[];
  /** All rows, or batches of rows as an engine streams them. */
  rows: JsonScalar[][] | AsyncIterable<JsonScalar[][]>;
}

/** Excel's limit per sheet, header row included. */
export const XLSX_MAX_ROWS = 1_048_576;

const FORMATS: Partial<Record<ColumnType, string>> = { date: 'yyyy-mm-dd', datetime: 'yyyy-mm-dd hh:mm:ss' };

export interface XlsxOptions {
  /** Quote-prefix text cells and column names that start like a formula; default true. */
  escapeFormulas?: boolean;
}

/** Engine values to Excel cells; integers beyond 2^53 arrive as strings and stay text. */
function cell(value: JsonScalar, type: ColumnType, escapeFormulas: boolean): ExcelJS.CellValue {
  if (value === null) return null;
  if (type === 'string' && typeof value === 'string')
    return escapeFormulas ? neutralizeFormula(value) : value;
  if ((type === 'integer' || type === 'number') && typeof value === 'string') {
    const n = Number(value);
    return Number.isSafeInteger(n) || (type === 'number' && Number.isFinite(n)) ? n : value;
  }
  if ((type === 'date' || type === 'datetime') && typeof value === 'string') {
    // Timestamps without a zone are UTC (ARCHITECTURE §5), which is how exceljs writes dates.
    const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(value) || value.length === 10 ? value : `${value}Z`;
    const date = new Date(iso.replace(' ', 'T'));
    return Number.isNaN(date.getTime()) ? value : date;
  }
  return value;
}

/** Sheet names: at most 31 characters, none of `[]:*?/\`, unique regardless of case. */
function sheetNamer(): (wanted: string) => string {
  const used = new Set<string>();
  return (wanted) => {
    const base =
      wanted
        .replace(/[[\]:*?/\\]/g, ' ')
        .trim()
        .slice(0, 31) || 'Sheet';
    let name = base;
    for (let n = 2; used.has(name.toLowerCase()); n++)
      name = `${base.slice(0, 31 - String(n).length - 3)} (${n})`;
    used.add(name.toLowerCase());
    return name;
  };
}

async function* batchesOf(rows: XlsxSheet['rows']): AsyncIterable<JsonScalar[][]> {
  if (Array.isArray(rows)) yield rows;
  else yield* rows;
}

export async function writeXlsx(
  sheets: readonly XlsxSheet[],
  file: string,
  options: XlsxOptions = {},
): Promise<{ rows: number }> {
  const escapeFormulas = options.escapeFormulas ?? true;
  const text = escapeFormulas ? neutralizeFormula : (name: string) => name;
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: file,
    useStyles: true,
    useSharedStrings: false,
  });
  const nameFor = sheetNamer();
  let total = 0;
  for (const sheet of sheets) {
    const open = (name: string) => {
      const worksheet = workbook.addWorksheet(nameFor(name), { views: [{ state: 'frozen', ySplit: 1 }] });
      worksheet.columns = sheet.columns.map((c) => ({
        key: c.name,
        width: Math.min(Math.max(c.name.length + 2, 10), 40),
        style: FORMATS[c.type] ? { numFmt: FORMATS[c.type] } : {},
      }));
      const header = worksheet.addRow(sheet.columns.map((c) => text(c.name)));
      header.font = { bold: true };
      header.commit();
      return worksheet;
    };
    let worksheet = open(sheet.name);
    let rowsInSheet = 1;
    let part = 1;
    for await (const batch of batchesOf(sheet.rows)) {
      for (const row of batch) {
        if (rowsInSheet === XLSX_MAX_ROWS) {
          worksheet.commit();
          part += 1;
          worksheet = open(`${sheet.name} (${part})`);
          rowsInSheet = 1;
        }
        worksheet
          .addRow(row.map((value, i) => cell(value, sheet.columns[i]?.type ?? 'string', escapeFormulas)))
          .commit();
        rowsInSheet += 1;
        total += 1;
      }
    }
    worksheet.commit();
  }
  await workbook.commit();
  return { rows: total };
}
