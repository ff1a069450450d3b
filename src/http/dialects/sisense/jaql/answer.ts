import { neutralizeFormula } from '../../../../engines/formula-cells.ts';
import type { JsonScalar, ResultColumn } from '../../../../engines/types.ts';
import type { PlannedColumn } from './plan.ts';
import type { JaqlItem } from './request.ts';

/**
 * The JAQL answer: `headers` (the items' titles), `metadata` (the selected items echoed, in the
 * order of the cells) and `values`, one array per row of `{data, text}` cells, one per selected
 * item in request order (Sisense answers in the order of the request's items; clients.md's
 * "attributes first" is the order its clients send them in). Dates are written as Sisense writes
 * them (`2024-01-01T00:00:00`), an empty value as Sisense's `N\A`.
 */

export interface JaqlCell {
  data: JsonScalar;
  text: string;
}

export interface JaqlAnswer {
  headers: string[];
  metadata: JaqlItem[];
  datasource: { title: string; fullname: string };
  values: JaqlCell[][];
}

export const NULL_TEXT = 'N\\A';

const datetimeTypes = new Set(['date', 'datetime']);

/** A date or timestamp as `YYYY-MM-DDTHH:MM:SS` (the query's wall time). */
const sisenseDate = (value: string): string => {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?))?/.exec(value);
  if (!match) return value;
  const time = match[2] ?? '00:00:00';
  return `${match[1]}T${time.length === 5 ? `${time}:00` : time}`;
};

export function cellOf(value: JsonScalar, column: ResultColumn | undefined): JaqlCell {
  if (value === null) return { data: null, text: NULL_TEXT };
  if (typeof value === 'string' && column && datetimeTypes.has(column.type)) {
    const date = sisenseDate(value);
    return { data: date, text: date };
  }
  return { data: value, text: String(value) };
}

export const titleOf = (column: PlannedColumn): string =>
  column.item.jaql.title ?? column.item.jaql.dim ?? column.item.jaql.formula ?? column.name;

/** The cells of the planned columns, picked by name from the result's columns (helpers left out). */
export function shownRows(
  columns: PlannedColumn[],
  result: { columns: ResultColumn[]; rows: JsonScalar[][] },
): JaqlCell[][] {
  const positions = columns.map((column) => result.columns.findIndex((c) => c.name === column.name));
  return result.rows.map((row) =>
    positions.map((position) => cellOf(position < 0 ? null : row[position], result.columns[position])),
  );
}

/** A CSV field's text: a number as is, a text neutralized against formula injection. */
const csvText = (cell: JaqlCell): string =>
  cell.data === null ? '' : typeof cell.data === 'string' ? neutralizeFormula(cell.text) : cell.text;

/** RFC 4180 CSV: the header row of titles, then each row's texts (an empty value empty). */
export function csvLines(headers: string[], rows: JaqlCell[][]): string {
  const quote = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  const lines = [headers.map(neutralizeFormula), ...rows.map((row) => row.map(csvText))];
  return `${lines.map((line) => line.map(quote).join(',')).join('\r\n')}\r\n`;
}
