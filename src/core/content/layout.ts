import { validationError } from '../errors.ts';
import { fieldPath, integer, record } from '../input.ts';
import type { LayoutItem, VisualizationType, Widget } from './types.ts';

/** The dashboard grid: 12 columns, rows of free height; every widget has exactly one cell. */
export const GRID_COLUMNS = 12;

export type LayoutCell = Omit<LayoutItem, 'widgetId'>;

export function layoutCell(field: string, value: unknown): LayoutCell {
  const body = record(field, value, ['x', 'y', 'w', 'h']);
  const x = integer(fieldPath(field, 'x'), body.x, 0, GRID_COLUMNS - 1);
  const w = integer(fieldPath(field, 'w'), body.w, 1, GRID_COLUMNS);
  if (x + w > GRID_COLUMNS)
    throw validationError(fieldPath(field, 'w'), `x + w must not exceed ${GRID_COLUMNS} columns`);
  return {
    x,
    y: integer(fieldPath(field, 'y'), body.y, 0, 1_000_000),
    w,
    h: integer(fieldPath(field, 'h'), body.h, 1, 1000),
  };
}

const defaultSize = (type: VisualizationType): { w: number; h: number } => {
  if (type === 'kpi') return { w: 3, h: 2 };
  if (type === 'text') return { w: GRID_COLUMNS, h: 2 };
  if (type === 'table' || type === 'pivot') return { w: GRID_COLUMNS, h: 6 };
  return { w: 6, h: 4 };
};

const overlaps = (a: LayoutCell, b: LayoutCell) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** The first free `w` × `h` space, reading the grid row by row from the top left. */
export function firstFreeSpace(occupied: readonly LayoutCell[], w: number, h: number): LayoutCell {
  const bottom = Math.max(0, ...occupied.map((cell) => cell.y + cell.h));
  for (let y = 0; y <= bottom; y++) {
    for (let x = 0; x + w <= GRID_COLUMNS; x++) {
      const cell = { x, y, w, h };
      if (!occupied.some((other) => overlaps(cell, other))) return cell;
    }
  }
  return { x: 0, y: bottom, w, h };
}

/**
 * One cell per widget, in widget order. `strict` (the layout came in the request) rejects cells
 * of unknown or repeated widgets; otherwise (widgets replaced, layout kept) stale cells are
 * dropped. Widgets without a cell go into the first free space that fits their default size.
 */
export function completeLayout(widgets: Widget[], layout: LayoutItem[], strict: boolean): LayoutItem[] {
  const ids = new Set(widgets.map((widget) => widget.id));
  const placed = new Map<string, LayoutItem>();
  layout.forEach((item, i) => {
    const problem = !ids.has(item.widgetId)
      ? 'names no widget of the dashboard'
      : placed.has(item.widgetId)
        ? 'is placed twice'
        : '';
    if (problem && strict) throw validationError(`layout[${i}].widgetId`, `${item.widgetId} ${problem}`);
    if (!problem) placed.set(item.widgetId, item);
  });
  for (const widget of widgets) {
    if (placed.has(widget.id)) continue;
    const { w, h } = defaultSize(widget.visualization.type);
    placed.set(widget.id, { widgetId: widget.id, ...firstFreeSpace([...placed.values()], w, h) });
  }
  return widgets.map((widget) => placed.get(widget.id)!);
}
