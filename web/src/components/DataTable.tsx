import { useMemo, useState } from 'react';
import { columnTitle, isNumeric, type NumberFormat } from '../../../src/core/exports/present.ts';
import {
  type GridCell,
  rowCells,
  rowsWithSubtotals,
  type TableRow,
  totalsRow,
} from '../../../src/core/exports/table-grid.ts';
import type { QueryResult, Scalar } from '../types.ts';
import { PivotTable } from './PivotTable.tsx';
import './table-grid.css';

interface TableProps {
  result: QueryResult;
  pageSize?: number;
  caption?: string;
  rawNames?: boolean;
  /** The widget's number format, for numeric columns (identifiers stay as they are). */
  format?: NumberFormat;
}

/** A query answer as a table: a pivot answer as its cross-tab, others as their rows. */
export function DataTable(props: TableProps) {
  if (props.result.pivot)
    return <PivotTable result={props.result} format={props.format} caption={props.caption} />;
  return <RowsTable {...props} />;
}

const cellClass = (cell: GridCell) =>
  [cell.align === 'end' && 'num', cell.strong && 'total'].filter(Boolean).join(' ') || undefined;

/**
 * A sortable, paginated table of rows, with the answer's subtotal rows in place (until it is
 * sorted by a column, which breaks their groups) and its totals row under every page.
 */
function RowsTable(props: TableProps) {
  const { result } = props;
  const format = props.format ?? {};
  const [sort, setSort] = useState<{ index: number; descending: boolean } | null>(null);
  const [page, setPage] = useState(0);
  const pageSize = props.pageSize ?? 10;

  const rows = useMemo((): TableRow[] => {
    if (!sort) return rowsWithSubtotals(result);
    const factor = sort.descending ? -1 : 1;
    return [...result.rows]
      .sort((a, b) => factor * compare(a[sort.index], b[sort.index]))
      .map((values) => ({ values }));
  }, [result, sort]);
  const totals = useMemo(() => totalsRow(result, props.format ?? {}), [result, props.format]);
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const current = Math.min(page, pages - 1);
  const shown = rows.slice(current * pageSize, (current + 1) * pageSize);

  const toggle = (index: number) => {
    setSort(sort?.index === index ? { index, descending: !sort.descending } : { index, descending: false });
    setPage(0);
  };

  return (
    <div className="datatable">
      <div className="tablescroll">
        <table>
          {props.caption && <caption className="sr-only">{props.caption}</caption>}
          <thead>
            <tr>
              {result.columns.map((column, index) => (
                <th
                  key={column.name}
                  className={isNumeric(column.type) ? 'num' : undefined}
                  aria-sort={sort?.index === index ? (sort.descending ? 'descending' : 'ascending') : 'none'}
                >
                  <button
                    type="button"
                    onClick={() => toggle(index)}
                    title={`${column.name} (${column.type})`}
                  >
                    {props.rawNames ? column.name : columnTitle(column)}
                    <span aria-hidden="true" className="sortmark">
                      {sort?.index === index ? (sort.descending ? ' ▼' : ' ▲') : ''}
                    </span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((row, r) => (
              <tr
                // biome-ignore lint/suspicious/noArrayIndexKey: a result row's identity is its position in the result
                key={current * pageSize + r}
                className={row.subtotal === undefined ? undefined : 'subtotal'}
              >
                {rowCells(row, result.columns, format, '∅').map((cell, c) => (
                  <td key={result.columns[c].name} className={cellClass(cell)}>
                    {cell.text}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
          {totals && (
            <tfoot>
              <tr>
                {totals.cells.map((cell, c) => (
                  <td key={result.columns[c].name} className={cellClass(cell)}>
                    {cell.text}
                  </td>
                ))}
              </tr>
            </tfoot>
          )}
        </table>
      </div>
      {pages > 1 && (
        <div className="pager">
          <button
            type="button"
            onClick={() => setPage(current - 1)}
            disabled={current === 0}
            aria-label="Previous page"
          >
            ‹
          </button>
          <span>
            {current + 1} / {pages} · {result.rows.length} rows
          </span>
          <button
            type="button"
            onClick={() => setPage(current + 1)}
            disabled={current >= pages - 1}
            aria-label="Next page"
          >
            ›
          </button>
        </div>
      )}
      {pages <= 1 && <div className="pager muted">{result.rows.length} rows</div>}
    </div>
  );
}

function compare(a: Scalar, b: Scalar): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}
