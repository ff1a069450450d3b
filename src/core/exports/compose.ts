/**
 * Composes a dashboard into pages of shapes: header at the top of the first page, widgets on
 * the 12-column grid, rows paginated for PDF; a table longer than its cell continues on pages
 * of its own right after the page it starts on (PDF) or ends with "… N more rows" (PNG).
 */
import { fitText, MissingGlyphs } from './fonts.ts';
import { type Box, type PageSize, type PlacedCell, pageSize, placeGrid } from './layout.ts';
import { parseRichText, wrapRichText } from './rich-text.ts';
import { type Page, type Shape, textShape } from './scene.ts';
import type { DashboardRenderSpec, RenderOptions } from './types.ts';
import {
  cardFrame,
  drawRichLines,
  drawTable,
  drawWidget,
  MUTED,
  TABLE_ROW,
  type TableRest,
} from './widgets.ts';

const MARGIN = 24;
const GAP = 8;
/** Size of the plain lines under the title (filters in force, time of the render). */
const NOTE_SIZE = 9;
/** Past this many rows a PDF table stops, so one widget cannot produce thousands of pages. */
export const MAX_PDF_TABLE_ROWS = 10_000;

export type Target = 'pdf' | 'png';

export interface Composition {
  pages: Page[];
  warnings: string[];
}

function header(
  spec: DashboardRenderSpec,
  width: number,
  missing: MissingGlyphs,
): { shapes: Shape[]; height: number } {
  const shapes: Shape[] = [
    textShape(spec.title, { x: MARGIN, y: MARGIN + 16, size: 16, face: 'bold' }, missing),
  ];
  let height = 26;
  for (const note of spec.notes ?? []) {
    const line = fitText(note, width, NOTE_SIZE);
    shapes.push(
      textShape(line, { x: MARGIN, y: MARGIN + height + 8, size: NOTE_SIZE, color: MUTED }, missing),
    );
    height += NOTE_SIZE + 4;
  }
  if (spec.headerHtml) {
    const lines = wrapRichText(parseRichText(spec.headerHtml), width);
    const box: Box = {
      x: MARGIN,
      y: MARGIN + height,
      w: width,
      h: lines.reduce((sum, l) => sum + l.height, 0),
    };
    shapes.push(...drawRichLines(lines, box, missing));
    height += box.h + 6;
  }
  return { shapes, height: height + 6 };
}

function continuationPages(
  title: string,
  rest: TableRest,
  size: PageSize,
  missing: MissingGlyphs,
  warnings: string[],
): Page[] {
  const pages: Page[] = [];
  const rows = rest.grid.body.length;
  const limit = Math.min(rows, MAX_PDF_TABLE_ROWS);
  const grid = limit < rows ? { ...rest.grid, body: rest.grid.body.slice(0, limit) } : rest.grid;
  if (grid !== rest.grid) warnings.push(`table "${title}" stops after ${limit} of ${rows} rows in the PDF`);
  let from = rest.from;
  const box = { x: MARGIN, y: MARGIN, w: size.width - 2 * MARGIN, h: size.height - 2 * MARGIN };
  while (from < grid.body.length) {
    const { shapes, body } = cardFrame(`${title} (continued)`, box, missing);
    const table = drawTable(grid, from, body, false, missing);
    if (table.next === from) break;
    shapes.push(...table.shapes);
    shapes.push(
      textShape(
        `rows ${from + 1}–${table.next} of ${grid.body.length}`,
        {
          x: box.x + box.w - 10,
          y: box.y + 16,
          size: 8,
          color: MUTED,
          anchor: 'end',
        },
        missing,
      ),
    );
    pages.push({ ...size, shapes });
    from = table.next;
  }
  return pages;
}

/**
 * A table with more rows than its cell grows down to the next cell below it or the page
 * bottom before continuing on pages of its own, so pages do not end half empty.
 */
function grownTable(cell: PlacedCell, others: readonly PlacedCell[], pageHeight: number): PlacedCell {
  const below = others
    .filter((o) => o !== cell && o.y > cell.y && o.x < cell.x + cell.w && cell.x < o.x + o.w)
    .map((o) => o.y - GAP);
  return { ...cell, h: Math.max(cell.h, Math.min(pageHeight, ...below) - cell.y) };
}

export function composeDashboard(
  spec: DashboardRenderSpec,
  options: RenderOptions,
  target: Target,
): Composition {
  const missing = new MissingGlyphs();
  const warnings: string[] = [];
  const paper = pageSize(options.paper, options.orientation);
  const width = paper.width - 2 * MARGIN;
  const top = header(spec, width, missing);
  const widgets = new Map(spec.widgets.map((w) => [w.id, w]));
  for (const cell of spec.layout) {
    if (!widgets.has(cell.widgetId)) warnings.push(`layout cell refers to unknown widget "${cell.widgetId}"`);
  }
  const placement = placeGrid(
    spec.layout.filter((cell) => widgets.has(cell.widgetId)),
    {
      width,
      pageHeight: target === 'pdf' ? paper.height - 2 * MARGIN : Number.POSITIVE_INFINITY,
      firstPageTop: top.height,
      rowHeight: options.rowHeight ?? 40,
      gap: GAP,
      splittable: (id) =>
        target === 'pdf' && ['table', 'pivot'].includes(widgets.get(id)?.visualization.type ?? ''),
    },
  );
  const height = target === 'pdf' ? paper.height : placement.bottom + 2 * MARGIN;
  const pages: Page[] = [];
  for (let index = 0; index < placement.pageCount; index++) {
    const page: Page = { width: paper.width, height, shapes: index === 0 ? [...top.shapes] : [] };
    const continuations: Page[] = [];
    const onPage = placement.cells.filter((c) => c.page === index);
    for (const placed of onPage) {
      const widget = widgets.get(placed.widgetId)!;
      const overflows = (widget.result?.rows.length ?? 0) > placed.h / TABLE_ROW;
      const tabular = widget.visualization.type === 'table' || widget.visualization.type === 'pivot';
      const cell =
        target === 'pdf' && tabular && overflows
          ? grownTable(placed, onPage, paper.height - 2 * MARGIN)
          : placed;
      const box = { x: cell.x + MARGIN, y: cell.y + MARGIN, w: cell.w, h: cell.h };
      const drawn = drawWidget(widget, box, target === 'png', missing);
      page.shapes.push(...drawn.shapes);
      if (drawn.tableRest) {
        continuations.push(...continuationPages(widget.title, drawn.tableRest, paper, missing, warnings));
      }
    }
    pages.push(page, ...continuations);
  }
  return { pages, warnings: [...missing.warnings(), ...warnings] };
}
