/**
 * Page geometry: places the dashboard's 12-column grid cells on pages. Rows are paginated when
 * the dashboard is taller than a page; a page breaks only between rows where cells start, so a
 * row of widgets moves to the next page together.
 */

export interface GridCell {
  widgetId: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PlacedCell extends Box {
  widgetId: string;
  page: number;
}

export interface GridGeometry {
  /** Content width of a page, in points. */
  width: number;
  /** Content height of a page; `Infinity` lays everything on one page (PNG). */
  pageHeight: number;
  /** Space taken on the first page by the dashboard header. */
  firstPageTop: number;
  /** Height of one grid row unit. */
  rowHeight: number;
  /** Space between cells. */
  gap: number;
  /** Cells that may be cut at the page bottom because they continue elsewhere (tables). */
  splittable?: (widgetId: string) => boolean;
}

/** A splittable cell starts on the current page only when at least this much of it fits. */
const MIN_SPLIT_HEIGHT = 120;

export const GRID_COLUMNS = 12;

export interface PageSize {
  width: number;
  height: number;
}

/** Paper sizes in points (1/72 inch), portrait. */
const PAPER: Record<string, PageSize> = {
  A4: { width: 595.28, height: 841.89 },
  A3: { width: 841.89, height: 1190.55 },
  Letter: { width: 612, height: 792 },
};

export type PaperName = 'A4' | 'A3' | 'Letter';

export function pageSize(
  paper: PaperName = 'A4',
  orientation: 'landscape' | 'portrait' = 'landscape',
): PageSize {
  const size = PAPER[paper];
  return orientation === 'landscape' ? { width: size.height, height: size.width } : size;
}

function normalize(cell: GridCell): GridCell {
  const x = Math.min(Math.max(0, Math.round(cell.x)), GRID_COLUMNS - 1);
  const w = Math.min(Math.max(1, Math.round(cell.w)), GRID_COLUMNS - x);
  return {
    widgetId: cell.widgetId,
    x,
    w,
    y: Math.max(0, Math.round(cell.y)),
    h: Math.max(1, Math.round(cell.h)),
  };
}

export interface GridPlacement {
  cells: PlacedCell[];
  pageCount: number;
  /** Bottom of the lowest cell on the last page, for sizing a single-page image. */
  bottom: number;
}

export function placeGrid(layout: readonly GridCell[], geometry: GridGeometry): GridPlacement {
  const { width, pageHeight, rowHeight, gap } = geometry;
  const cells = layout.map(normalize).sort((a, b) => a.y - b.y || a.x - b.x);
  const rowsStarting = [...new Set(cells.map((c) => c.y))];
  const column = (width + gap) / GRID_COLUMNS;
  const placed: PlacedCell[] = [];
  let page = 0;
  let pageStartRow = 0;
  let pageTop = geometry.firstPageTop;
  for (const row of rowsStarting) {
    const group = cells.filter((c) => c.y === row);
    const groupBottom = (c: GridCell) => {
      const top = pageTop + (c.y - pageStartRow) * rowHeight;
      const fits = geometry.splittable?.(c.widgetId) && pageHeight - top >= MIN_SPLIT_HEIGHT;
      return fits ? top : top + c.h * rowHeight;
    };
    const tallest = Math.max(...group.map(groupBottom));
    const startsLower = row > pageStartRow || pageTop > 0;
    if (tallest > pageHeight && startsLower && placed.some((p) => p.page === page)) {
      page += 1;
      pageStartRow = row;
      pageTop = 0;
    }
    for (const cell of group) {
      const y = pageTop + (cell.y - pageStartRow) * rowHeight;
      // A cell taller than what is left of the page is cut to the page; tables continue on
      // pages of their own, charts shrink.
      const h = Math.min(cell.h * rowHeight, pageHeight - y) - gap;
      placed.push({ widgetId: cell.widgetId, page, x: cell.x * column, y, w: cell.w * column - gap, h });
    }
  }
  const last = placed.filter((p) => p.page === page).map((p) => p.y + p.h);
  return { cells: placed, pageCount: page + 1, bottom: Math.max(geometry.firstPageTop, ...last) };
}
