import { useMemo, useState } from 'react';
import { columnLabel, formatValue, isNumeric, type NumberFormat } from '../../../src/core/exports/present.ts';
import type { QueryResult, Scalar } from '../types.ts';

/** A sortable, paginated results table. */
export function DataTable(props: {
  result: QueryResult;
  pageSize?: number;
  caption?: string;
  rawNames?: boolean;
  /** The widget's number format, for numeric columns (identifiers stay as they are). */
  format?: NumberFormat;
}) {
  const { result } = props;
  const [sort, setSort] = useState<{ index: number; descending: boolean } | null>(null);
  const [page, setPage] = useState(0);
  const pageSize = props.pageSize ?? 10;

  const rows = useMemo(() => {
    if (!sort) return result.rows;
    const factor = sort.descending ? -1 : 1;
    return [...result.rows].sort((a, b) => factor * compare(a[sort.index], b[sort.index]));
  }, [result.rows, sort]);
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
                    {props.rawNames ? column.name : columnLabel(column.name)}
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
              // biome-ignore lint/suspicious/noArrayIndexKey: a result row's identity is its position in the result
              <tr key={current * pageSize + r}>
                {row.map((value, c) => (
                  <td
                    key={result.columns[c].name}
                    className={isNumeric(result.columns[c].type) ? 'num' : undefined}
                  >
                    {formatValue(value, result.columns[c].type, props.format, result.columns[c].name)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
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
            {current + 1} / {pages} · {rows.length} rows
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
      {pages <= 1 && <div className="pager muted">{rows.length} rows</div>}
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
