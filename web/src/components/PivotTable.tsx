import { useLayoutEffect, useMemo, useRef } from 'react';
import type { NumberFormat } from '../../../src/core/exports/present.ts';
import { type GridCell, type TableAnswer, tableGrid } from '../../../src/core/exports/table-grid.ts';
import './table-grid.css';

const alignClass = { start: undefined, middle: 'mid', end: 'num' } as const;

function cellClass(cell: GridCell, pinned: boolean): string | undefined {
  const classes = [alignClass[cell.align], cell.strong && 'total', pinned && 'pinned'].filter(Boolean);
  return classes.length > 0 ? classes.join(' ') : undefined;
}

/** The colour scale's cell colours (table-grid.ts picks the text colour that reads on the fill). */
const colours = (cell: GridCell) => (cell.fill ? { background: cell.fill, color: cell.ink } : undefined);

/**
 * Keeps the header levels and the row-label columns in view while the table scrolls: each
 * header level sticks below the ones above it and each label column right of the ones before
 * it. The offsets are measured (sizes, which scrolling does not change) after each layout.
 */
function pin(table: HTMLTableElement): void {
  let top = 0;
  for (const row of table.tHead?.rows ?? []) {
    for (const cell of row.cells) cell.style.top = `${top}px`;
    top += row.getBoundingClientRect().height;
  }
  // The last header level has one cell per row-label column: their widths give the offsets.
  const lefts = [0];
  for (const cell of table.querySelectorAll<HTMLElement>('thead tr:last-child .pinned'))
    lefts.push(lefts[lefts.length - 1] + cell.getBoundingClientRect().width);
  for (const cell of table.querySelectorAll<HTMLElement>('.pinned'))
    cell.style.left = `${lefts[Number(cell.dataset.leaf)] ?? 0}px`;
}

/**
 * A pivot answer (`POST /api/query` with `pivot`) as its cross-tab: the pivot values on top,
 * one header level per pivot dimension and the metric names under them, the row dimensions on
 * the left, a row-total column per metric, the totals row (the answer's, with `totals`) and a
 * colour scale per metric. It scrolls inside its box with headers and row labels kept in view.
 */
export function PivotTable(props: { result: TableAnswer; format?: NumberFormat; caption?: string }) {
  const grid = useMemo(() => tableGrid(props.result, props.format), [props.result, props.format]);
  const table = useRef<HTMLTableElement>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new grid is new cells to pin
  useLayoutEffect(() => {
    const element = table.current;
    if (!element) return;
    pin(element);
    // Columns change width with the box (and web fonts arriving): measure again.
    const observer = new ResizeObserver(() => pin(element));
    observer.observe(element);
    return () => observer.disconnect();
  }, [grid]);

  const row = (cells: GridCell[], header: boolean) => {
    let leaf = 0;
    return cells.map((cell) => {
      const at = leaf;
      leaf += cell.span ?? 1;
      const pinned = at < grid.rowHeaders;
      const common = {
        className: cellClass(cell, pinned),
        colSpan: cell.span,
        style: colours(cell),
        'data-leaf': pinned ? at : undefined,
      };
      if (header)
        return (
          <th key={at} {...common} scope={(cell.span ?? 1) > 1 ? 'colgroup' : 'col'}>
            {cell.text}
          </th>
        );
      if (pinned)
        return (
          <th key={at} {...common} scope="row">
            {cell.text}
          </th>
        );
      return (
        <td key={at} {...common}>
          {cell.text}
        </td>
      );
    });
  };

  if (grid.body.length === 0) return <p className="muted center">No data</p>;
  return (
    <div className="tablescroll">
      <table className="pivottable" ref={table}>
        {props.caption && <caption className="sr-only">{props.caption}</caption>}
        <thead>
          {grid.header.map((level, l) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a header level is its place from the top
            <tr key={l}>{row(level, true)}</tr>
          ))}
        </thead>
        <tbody>
          {grid.body.map((line, r) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a result row's identity is its position in the result
            <tr key={r} className={line.subtotal ? 'subtotal' : undefined}>
              {row(line.cells, false)}
            </tr>
          ))}
        </tbody>
        {grid.footer.length > 0 && (
          <tfoot>
            {grid.footer.map((line, r) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the totals rows have no other identity
              <tr key={r}>{row(line.cells, false)}</tr>
            ))}
          </tfoot>
        )}
      </table>
    </div>
  );
}
