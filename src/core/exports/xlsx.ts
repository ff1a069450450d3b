/**
 * XLSX export through exceljs' streaming writer: rows are committed as they come, so a large
 * result never sits whole in memory. Cells are typed (numbers, dates, booleans), the header row
 * holds the columns' labels (`Sum of price`), bold and frozen; a sheet past Excel's row limit
 * continues on a sheet of its own. Text is always written as a string cell, never a formula;
 * text a spreadsheet would read as a formula once edited or saved as CSV also gets the quote
 * prefix, as in CSV (`formula-cells.ts`).
 *
 * Numbers: binary floats lose their representation noise (`withoutFloatNoise`), exact decimals
 * are written as the engine delivers them, never rounded; each numeric column gets a display
 * format (identifiers without separators), or the Excel equivalent of the widget's number format
 * (`NumberFormat`: currency, percent, decimals, prefix and suffix; `compact` keeps the column's
 * format, since the cell holds the exact value). Numeric text (a value no double holds) stays text.
 */
import type ExcelJS from 'exceljs';
import { neutralizeFormula } from '../../engines/formula-cells.ts';
import type { JsonScalar, ResultColumn } from '../../engines/types.ts';
import {
  columnLabel,
  currencyStyle,
  decimalsOf,
  formatNameOf,
  isFloatColumn,
  isIdentifierColumn,
  type NumberFormat,
  withoutFloatNoise,
} from './present.ts';

export interface XlsxSheet {
  name: string;
  columns: ResultColumn[];
  /** All rows, or batches of rows as an engine streams them. */
  rows: JsonScalar[][] | AsyncIterable<JsonScalar[][]>;
  /** The number format of the widget the sheet comes from, for its numeric columns. */
  format?: NumberFormat;
}

/** Excel's limit per sheet, header row included. */
export const XLSX_MAX_ROWS = 1_048_576;

export interface XlsxOptions {
  /** Quote-prefix text cells and column names that start like a formula; default true. */
  escapeFormulas?: boolean;
}

/**
 * Numeric text as a number when a double holds it exactly (at most 15 significant digits, as
 * many as Excel keeps), else undefined: such a value stays text rather than lose digits.
 */
function exactNumber(text: string): number | undefined {
  const mantissa = /^[+-]?(\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.exec(text.trim())?.[1];
  if (mantissa === undefined) return undefined;
  const digits = mantissa.replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return digits.length <= 15 ? Number(text) : undefined;
}

/** Timestamps without a zone are UTC (ARCHITECTURE §5), which is how exceljs writes dates. */
function dateCell(value: string): Date | string {
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(value) || value.length === 10 ? value : `${value}Z`;
  const date = new Date(iso.replace(' ', 'T'));
  return Number.isNaN(date.getTime()) ? value : date;
}

/** The display format of a DECIMAL(p,s) column: its own scale, at most 10 places. */
function decimalFormat(nativeType: string | undefined): string {
  const scale = Number(
    /^(?:decimal|numeric|dec)\s*\(\s*\d+\s*,\s*(\d+)\s*\)/i.exec(nativeType ?? '')?.[1] ?? 2,
  );
  return scale === 0 ? '#,##0' : `#,##0.${'0'.repeat(Math.min(scale, 10))}`;
}

/** Excel's `#,##0.00` with `decimals` places. */
const grouped = (decimals: number) => (decimals === 0 ? '#,##0' : `#,##0.${'0'.repeat(decimals)}`);

/** A quoted literal of a number format (Excel's formats cannot hold a quote inside one). */
const literal = (value: unknown) =>
  typeof value === 'string' && value !== '' ? `"${value.replace(/"/g, '')}"` : '';

/** The Excel number format showing numbers as `format` does on screen; `fallback` when it says nothing. */
export function excelNumberFormat(format: NumberFormat, fallback: string): string {
  const decimals = decimalsOf(format);
  let digits: string;
  switch (formatNameOf(format)) {
    case 'currency': {
      const currency = currencyStyle(format);
      digits = `${literal(currency.symbol)}${grouped(decimals ?? currency.decimals)}`;
      break;
    }
    case 'percent': {
      const places = decimals ?? 1;
      digits = places === 0 ? '0%' : `0.${'0'.repeat(places)}%`;
      break;
    }
    case 'integer':
      digits = grouped(0);
      break;
    default:
      digits = decimals === undefined ? fallback : grouped(decimals);
  }
  return `${literal(format.prefix)}${digits}${literal(format.suffix)}`;
}

interface ColumnWriter {
  numFmt?: string;
  /** Engine value to an Excel cell (not called for NULL). */
  cell(value: Exclude<JsonScalar, null>): ExcelJS.CellValue;
}

/** How one column is written, decided once per column rather than per value. */
function columnWriter(column: ResultColumn, escapeFormulas: boolean, format: NumberFormat): ColumnWriter {
  const identifier = isIdentifierColumn(column.name);
  const numFmt = (fallback: string) => (identifier ? '0' : excelNumberFormat(format, fallback));
  switch (column.type) {
    case 'string':
      return { cell: (v) => (escapeFormulas && typeof v === 'string' ? neutralizeFormula(v) : v) };
    case 'integer':
      // Integers beyond 2^53 arrive as strings and stay text.
      return {
        numFmt: numFmt('#,##0'),
        cell: (v) => (typeof v === 'string' && Number.isSafeInteger(Number(v)) ? Number(v) : v),
      };
    case 'number': {
      const float = isFloatColumn(column);
      const number = float ? withoutFloatNoise : (v: number) => v;
      const text = (v: string) => exactNumber(v) ?? v;
      return {
        numFmt: numFmt(float ? '#,##0.00' : decimalFormat(column.nativeType)),
        cell: (v) => (typeof v === 'number' ? number(v) : typeof v === 'string' ? text(v) : v),
      };
    }
    case 'date':
      return { numFmt: 'yyyy-mm-dd', cell: (v) => (typeof v === 'string' ? dateCell(v) : v) };
    case 'datetime':
      return { numFmt: 'yyyy-mm-dd hh:mm:ss', cell: (v) => (typeof v === 'string' ? dateCell(v) : v) };
    default:
      return { cell: (v) => v };
  }
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
  // Loaded on first use: exceljs and its zip libraries are a quarter of a second of every start.
  const { default: excel } = await import('exceljs');
  const workbook = new excel.stream.xlsx.WorkbookWriter({
    filename: file,
    useStyles: true,
    useSharedStrings: false,
  });
  const nameFor = sheetNamer();
  let total = 0;
  for (const sheet of sheets) {
    const writers = sheet.columns.map((column) => columnWriter(column, escapeFormulas, sheet.format ?? {}));
    const labels = sheet.columns.map((column) => columnLabel(column.name));
    const open = (name: string) => {
      const worksheet = workbook.addWorksheet(nameFor(name), { views: [{ state: 'frozen', ySplit: 1 }] });
      worksheet.columns = sheet.columns.map((c, i) => ({
        key: c.name,
        width: Math.min(Math.max(labels[i].length + 2, 10), 40),
        style: writers[i].numFmt ? { numFmt: writers[i].numFmt } : {},
      }));
      const header = worksheet.addRow(labels.map(text));
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
          .addRow(row.map((value, i) => (value === null ? null : (writers[i]?.cell(value) ?? value))))
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
