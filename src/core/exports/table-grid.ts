/**
 * A table widget's answer as a grid of cells (header levels, rows, totals), the one layout the
 * web app's pivot table and the PDF/PNG exports both draw: a pivot answer as its cross-tab (one
 * header level per pivot dimension, the metric names under them, row-total columns and a colour
 * scale per metric), a plain answer as its rows with subtotal rows and a totals row. Totals are
 * the answer's (computed in SQL over every matching row), never added up here. Browser-safe.
 */
import type { JsonScalar } from '../../engines/types.ts';
import type { PivotAnswer, TotalsAnswer } from '../query/index.ts';
import {
  type ColumnHints,
  columnLabel,
  columnTitle,
  formatCell,
  formatValue,
  isNumeric,
  type NumberFormat,
} from './present.ts';

/** What the grid reads of a query answer (`POST /api/query`, a widget's results). */
export interface TableAnswer extends Partial<TotalsAnswer> {
  columns: readonly ColumnHints[];
  rows: readonly (readonly JsonScalar[])[];
  pivot?: PivotAnswer;
}

export interface GridCell {
  text: string;
  align: 'start' | 'middle' | 'end';
  /** Leaf columns a header cell covers; 1 when absent. */
  span?: number;
  /** Totals, subtotals and headers. */
  strong?: boolean;
  /** The colour scale: the cell's background and the text colour readable on it. */
  fill?: string;
  ink?: string;
}

export interface GridRow {
  cells: GridCell[];
  /** A subtotal row (plain tables) between the rows it sums up. */
  subtotal?: boolean;
}

export interface TableGrid {
  /** Leading columns that label the rows: kept in view when the table scrolls sideways. */
  rowHeaders: number;
  /** Header levels, top first; each covers every leaf column. */
  header: GridCell[][];
  body: GridRow[];
  /** The totals row, when the answer has totals. */
  footer: GridRow[];
}

const idOf = (column: ColumnHints) => column.id ?? column.name;
const isMeasure = (column: ColumnHints) =>
  column.kind ? column.kind !== 'dimension' : isNumeric(column.type);

/** NULL shows `empty`: nothing in a cross-tab, where it is a combination without rows. */
function valueCell(
  value: JsonScalar | undefined,
  column: ColumnHints,
  format: NumberFormat,
  empty = '',
): GridCell {
  const text = value === null || value === undefined ? empty : formatCell(value, column, format);
  return { text, align: isNumeric(column.type) ? 'end' : 'start' };
}

/** Light → strong blue along `t` (0–1), with whichever of dark or white text reads better on it. */
const LIGHT = [239, 245, 252];
const STRONG = [29, 92, 166];
const DARK_INK = '#1f2933';

function luminance(rgb: number[]): number {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function scaleColour(t: number): { fill: string; ink: string } {
  const rgb = LIGHT.map((light, i) => Math.round(light + (STRONG[i] - light) * t));
  const l = luminance(rgb);
  // WCAG contrast of each ink against the fill; dark ink's luminance is about 0.022.
  const dark = (l + 0.05) / (0.022 + 0.05);
  const white = 1.05 / (l + 0.05);
  const fill = `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
  return { fill, ink: white > dark ? '#ffffff' : DARK_INK };
}

/** The range of each metric's spread cells, for its colour scale. */
function metricRanges(answer: TableAnswer, spreads: number[]): Map<string, { min: number; max: number }> {
  const ranges = new Map<string, { min: number; max: number }>();
  for (const index of spreads) {
    const metric = answer.columns[index].pivot!.metric;
    for (const row of answer.rows) {
      const value = row[index];
      if (typeof value !== 'number') continue;
      const range = ranges.get(metric);
      if (!range) ranges.set(metric, { min: value, max: value });
      else {
        range.min = Math.min(range.min, value);
        range.max = Math.max(range.max, value);
      }
    }
  }
  return ranges;
}

/** A pivot value as a header: dates as dates, NULL as ∅ (the same mark its column id uses). */
function pivotValueText(value: JsonScalar, dimension: string): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value))
    return formatValue(value, 'datetime');
  return formatValue(value, typeof value === 'number' ? 'number' : 'string', undefined, dimension);
}

const sameValues = (a: readonly JsonScalar[], b: readonly JsonScalar[], upTo: number) =>
  a.slice(0, upTo + 1).every((v, i) => v === b[i]);

function pivotGrid(answer: TableAnswer, format: NumberFormat): TableGrid {
  const pivot = answer.pivot!;
  const columns = answer.columns;
  const rowDims = columns.flatMap((c, i) => (pivot.rows.includes(idOf(c)) ? [i] : []));
  const spreads = columns.flatMap((c, i) => (c.pivot ? [i] : []));
  const rowTotals = columns.flatMap((c, i) => (!c.pivot && pivot.metrics.includes(idOf(c)) ? [i] : []));
  const metricColumn = (metric: string) => columns.find((c) => !c.pivot && idOf(c) === metric);
  const metricTitle = (metric: string) => {
    const column = metricColumn(metric);
    return column ? columnTitle(column) : columnLabel(metric);
  };
  // A spread column formats as its metric does (a percent of total stays a percent).
  const spreadColumns = new Map(
    spreads.map((i) => [
      i,
      { ...columns[i], format: columns[i].format ?? metricColumn(columns[i].pivot!.metric)?.format },
    ]),
  );
  const spreadColumn = (i: number): ColumnHints => spreadColumns.get(i)!;

  const header: GridCell[][] = pivot.columns.map((dimension, level) => {
    const cells: GridCell[] = [];
    if (rowDims.length > 0)
      cells.push({ text: columnLabel(dimension), align: 'end', span: rowDims.length, strong: true });
    for (let i = 0; i < spreads.length; ) {
      const values = columns[spreads[i]].pivot!.values;
      let span = 1;
      while (i + span < spreads.length && sameValues(columns[spreads[i + span]].pivot!.values, values, level))
        span++;
      cells.push({ text: pivotValueText(values[level], dimension), align: 'middle', span, strong: true });
      i += span;
    }
    if (rowTotals.length > 0)
      cells.push({ text: level === 0 ? 'Total' : '', align: 'middle', span: rowTotals.length, strong: true });
    return cells;
  });
  header.push([
    ...rowDims.map((i) => ({ text: columnTitle(columns[i]), align: 'start' as const, strong: true })),
    ...spreads.map((i) => ({
      text: metricTitle(columns[i].pivot!.metric),
      align: 'end' as const,
      strong: true,
    })),
    ...rowTotals.map((i) => ({ text: metricTitle(idOf(columns[i])), align: 'end' as const, strong: true })),
  ]);

  const ranges = metricRanges(answer, spreads);
  const body = answer.rows.map((row) => ({
    cells: [
      ...rowDims.map((i) => valueCell(row[i], columns[i], format)),
      ...spreads.map((i) => {
        const cell = valueCell(row[i], spreadColumn(i), format);
        const range = ranges.get(columns[i].pivot!.metric);
        const value = row[i];
        if (typeof value !== 'number' || !range) return cell;
        const t = range.max > range.min ? (value - range.min) / (range.max - range.min) : 0;
        return { ...cell, ...scaleColour(t) };
      }),
      ...rowTotals.map((i) => ({ ...valueCell(row[i], columns[i], format), strong: true })),
    ],
  }));

  // Without row dimensions the only row is already the total.
  const footer: GridRow[] = [];
  if (answer.totals && rowDims.length > 0) {
    const totals = answer.totals;
    footer.push({
      cells: [
        ...rowDims.map((_, n) => ({ text: n === 0 ? 'Total' : '', align: 'start' as const, strong: true })),
        ...spreads.map((i) => ({
          ...valueCell(totals[idOf(columns[i])], spreadColumn(i), format),
          strong: true,
        })),
        ...rowTotals.map((i) => ({
          ...valueCell(totals[idOf(columns[i])], columns[i], format),
          strong: true,
        })),
      ],
    });
  }
  return { rowHeaders: rowDims.length, header, body, footer };
}

/** A row of a plain table: the answer's, or the subtotal of a dimension's value (its column index). */
export interface TableRow {
  values: readonly JsonScalar[];
  subtotal?: number;
}

/**
 * The answer's rows with a subtotal row after the rows of each value of a subtotalled dimension
 * (the answer's subtotals: its metrics grouped by that dimension alone). Groups are found in the
 * answer's order; a dimension whose values are not together in it (sorted by a metric, or an
 * inner dimension) gets no subtotal rows rather than misplaced ones. Inner subtotals come first.
 */
export function rowsWithSubtotals(answer: TableAnswer): TableRow[] {
  const index = new Map(answer.columns.map((c, i) => [idOf(c), i]));
  const after = new Map<number, TableRow[]>();
  const listed = Object.entries(answer.subtotals ?? {})
    .flatMap(([dimension, records]) => {
      const at = index.get(dimension);
      return at === undefined ? [] : [{ at, records }];
    })
    .sort((a, b) => b.at - a.at);
  for (const { at, records } of listed) {
    const last = new Map<string, number>(); // a value's key → the index of its last row
    let previous: string | undefined;
    let together = true;
    answer.rows.forEach((row, r) => {
      const key = JSON.stringify(row[at]);
      if (key !== previous && last.has(key)) together = false;
      last.set(key, r);
      previous = key;
    });
    if (!together) continue;
    const dimension = idOf(answer.columns[at]);
    for (const record of records) {
      const r = last.get(JSON.stringify(record[dimension] ?? null));
      if (r === undefined) continue;
      const values = answer.columns.map((c, i) =>
        i === at || isMeasure(c) ? (record[idOf(c)] ?? null) : null,
      );
      after.set(r, [...(after.get(r) ?? []), { values, subtotal: at }]);
    }
  }
  return answer.rows.flatMap((values, r) => [{ values }, ...(after.get(r) ?? [])]);
}

/**
 * The cells of a plain table's row; a subtotal's are strong and name the value they total.
 * `empty` is what NULL shows (the interactive table marks it, a printed one leaves it blank).
 */
export function rowCells(
  row: TableRow,
  columns: readonly ColumnHints[],
  format: NumberFormat,
  empty = '',
): GridCell[] {
  if (row.subtotal === undefined)
    return row.values.map((value, i) => valueCell(value, columns[i], format, empty));
  // A subtotal's other dimensions are not NULL but not there: blank.
  return row.values.map((value, i) => {
    const cell = valueCell(value, columns[i], format);
    return { ...cell, text: i === row.subtotal ? `${cell.text || '∅'} total` : cell.text, strong: true };
  });
}

/** The totals row of a plain table: `Total` in its first dimension column, the answer's totals. */
export function totalsRow(answer: TableAnswer, format: NumberFormat): GridRow | null {
  const totals = answer.totals;
  const label = answer.columns.findIndex((c) => !isMeasure(c));
  // A table without dimensions has one row, which is its total.
  if (!totals || label < 0) return null;
  return {
    cells: answer.columns.map((column, i) =>
      i === label
        ? { text: 'Total', align: 'start', strong: true }
        : { ...valueCell(totals[idOf(column)], column, format), strong: true },
    ),
  };
}

function plainGrid(answer: TableAnswer, format: NumberFormat): TableGrid {
  const header = [
    answer.columns.map((column) => ({
      text: columnTitle(column),
      align: isNumeric(column.type) ? ('end' as const) : ('start' as const),
      strong: true,
    })),
  ];
  const body = rowsWithSubtotals(answer).map((row) => ({
    cells: rowCells(row, answer.columns, format),
    subtotal: row.subtotal !== undefined,
  }));
  const totals = totalsRow(answer, format);
  return { rowHeaders: 0, header, body, footer: totals ? [totals] : [] };
}

/** The grid of a table widget's answer in the widget's number format. */
export function tableGrid(answer: TableAnswer, format: NumberFormat = {}): TableGrid {
  return answer.pivot ? pivotGrid(answer, format) : plainGrid(answer, format);
}
