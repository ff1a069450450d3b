/**
 * How each kind of widget is drawn into its box: charts through ECharts SVG, KPIs as a big
 * number with a label, tables (pivots as their cross-tab) as text grids that report where they
 * stopped, text as rich text.
 */
// The pure template file itself, not the content module: this runs in the render workers.
import { fillTemplate } from '../content/variables.ts';
import { isChartType } from './chart-options.ts';
import { renderChartSvg, splitSvgTextRuns } from './chart-svg.ts';
import { fitText, type MissingGlyphs, measureText } from './fonts.ts';
import type { Box } from './layout.ts';
import { columnLabel, formatValue, isNumeric, numberFormatOf } from './present.ts';
import { escapeXml, parseRichText, type RichLine, wrapRichText } from './rich-text.ts';
import { type Shape, textShape } from './scene.ts';
import { type GridCell, type TableGrid, tableGrid } from './table-grid.ts';
import type { RenderWidget, WidgetResult } from './types.ts';

export const INK = '#1f2933';
export const MUTED = '#6b7785';
const RULE = '#d9dee5';

export function cardFrame(title: string, box: Box, missing: MissingGlyphs): { shapes: Shape[]; body: Box } {
  const shapes: Shape[] = [{ kind: 'rect', ...box, fill: '#ffffff', stroke: RULE, radius: 4 }];
  shapes.push(
    textShape(
      fitText(title, box.w - 20, 9.5, 'bold'),
      { x: box.x + 10, y: box.y + 16, size: 9.5, face: 'bold' },
      missing,
    ),
  );
  return {
    shapes,
    body: { x: box.x + 10, y: box.y + 24, w: Math.max(0, box.w - 20), h: Math.max(0, box.h - 30) },
  };
}

function note(text: string, body: Box, missing: MissingGlyphs): Shape[] {
  return [
    textShape(
      text,
      { x: body.x + body.w / 2, y: body.y + body.h / 2, size: 9, color: MUTED, anchor: 'middle' },
      missing,
    ),
  ];
}

function kpi(widget: RenderWidget, result: WidgetResult, body: Box, missing: MissingGlyphs): Shape[] {
  const options = widget.visualization.options;
  const wanted = [options.value, options.field, Array.isArray(options.y) ? options.y[0] : undefined].find(
    (name) => typeof name === 'string',
  );
  let index = result.columns.findIndex((c) => c.name === wanted);
  if (index < 0) index = result.columns.findIndex((c) => isNumeric(c.type));
  if (index < 0) index = 0;
  const raw = result.rows[0]?.[index] ?? null;
  const value = raw === null ? null : Number(raw);
  const column = result.columns[index];
  const text =
    value !== null && Number.isFinite(value)
      ? formatValue(value, column?.type ?? 'number', numberFormatOf(options), column?.name)
      : raw === null
        ? '–'
        : String(raw);
  const label = typeof options.label === 'string' ? options.label : columnLabel(column?.name ?? '');
  // The number takes what the box allows: up to 40 pt high and never wider than the box.
  let size = Math.min(40, body.h * 0.5);
  size = Math.max(8, Math.min(size, (size * body.w * 0.92) / Math.max(1, measureText(text, size, 'bold'))));
  const middle = body.y + body.h / 2;
  return [
    textShape(
      text,
      { x: body.x + body.w / 2, y: middle + size * 0.3, size, face: 'bold', anchor: 'middle' },
      missing,
    ),
    textShape(
      fitText(label, body.w, 9),
      { x: body.x + body.w / 2, y: middle + size * 0.3 + 16, size: 9, color: MUTED, anchor: 'middle' },
      missing,
    ),
  ];
}

const TABLE_SIZE = 8;
export const TABLE_ROW = 14;
const HEAD_FILL = '#eef1f5';

const clampWidth = (w: number) => Math.min(Math.max(w + 10, 36), 260);

/**
 * Leaf column widths from the header, a sample of rows and the totals, fitted to the width:
 * stretched when there is room; when there is not, the last header level is cut before values
 * and pivot values (a pivot's repeated metric names are wider than its numbers), and those are
 * squeezed only past that.
 */
function columnWidths(grid: TableGrid, width: number): number[] {
  const leaves = grid.header.at(-1) ?? [];
  const content = leaves.map(() => 0);
  for (const row of [...grid.body.slice(0, 100), ...grid.footer])
    row.cells.forEach((cell, i) => {
      content[i] = Math.max(content[i], measureText(cell.text, TABLE_SIZE, cell.strong ? 'bold' : 'regular'));
    });
  const least = content.map(clampWidth);
  // A pivot value over several columns widens them evenly when it needs more room.
  for (const level of grid.header.slice(0, -1)) {
    let at = 0;
    for (const cell of level) {
      const span = cell.span ?? 1;
      const room = least.slice(at, at + span).reduce((a, b) => a + b, 0);
      const needed = clampWidth(measureText(cell.text, TABLE_SIZE, 'bold'));
      if (needed > room) for (let i = at; i < at + span; i++) least[i] += (needed - room) / span;
      at += span;
    }
  }
  const wanted = leaves.map((cell, i) =>
    Math.max(least[i], clampWidth(measureText(cell.text, TABLE_SIZE, 'bold'))),
  );
  const sum = (widths: number[]) => widths.reduce((a, b) => a + b, 0);
  const [all, values] = [sum(wanted), sum(least)];
  if (all <= width || values >= width) {
    const basis = all <= width ? wanted : least;
    return basis.map((w) => (w * width) / sum(basis));
  }
  const share = (width - values) / (all - values);
  return least.map((w, i) => w + (wanted[i] - w) * share);
}

export interface TableDraw {
  shapes: Shape[];
  /** Index of the first body row not drawn; equals the row count when all fit (and the totals with them). */
  next: number;
}

/**
 * Draws a table's grid: its header levels (on every page it continues on), body rows from
 * `from` while they fit, and its totals row after the last one. With `countRest`, a line says
 * how many rows were left out before the totals (PNG); otherwise the caller continues them on
 * further pages (PDF).
 */
export function drawTable(
  grid: TableGrid,
  from: number,
  body: Box,
  countRest: boolean,
  missing: MissingGlyphs,
): TableDraw {
  const widths = columnWidths(grid, body.w);
  const shapes: Shape[] = [];
  const row = (cells: readonly GridCell[], y: number, height: number) => {
    let x = body.x;
    let leaf = 0;
    for (const cell of cells) {
      const span = cell.span ?? 1;
      const w = widths.slice(leaf, leaf + span).reduce((a, b) => a + b, 0);
      if (cell.fill) shapes.push({ kind: 'rect', x, y, w, h: height, fill: cell.fill });
      const face = cell.strong ? ('bold' as const) : ('regular' as const);
      // A cell is one line on paper.
      const text = fitText(cell.text.replace(/\s+/g, ' '), w - 8, TABLE_SIZE, face);
      const anchor = cell.align;
      const at = anchor === 'end' ? x + w - 4 : anchor === 'middle' ? x + w / 2 : x + 4;
      const color = cell.ink ?? INK;
      shapes.push(
        textShape(text, { x: at, y: y + height - 4, size: TABLE_SIZE, face, color, anchor }, missing),
      );
      x += w;
      leaf += span;
    }
  };
  let y = body.y;
  for (const level of grid.header) {
    shapes.push({ kind: 'rect', x: body.x, y, w: body.w, h: TABLE_ROW + 2, fill: HEAD_FILL });
    row(level, y, TABLE_ROW + 2);
    y += TABLE_ROW + 2;
  }
  const total = grid.body.length;
  const footer = grid.footer.length;
  const capacity = Math.floor((body.y + body.h - y) / TABLE_ROW);
  let end = Math.min(total, from + Math.max(0, capacity));
  // The totals close the table: when they would not fit after the last rows, rows make room.
  if (end === total && total - from + footer > capacity) end = Math.max(from, from + capacity - footer);
  const cut = countRest && end < total;
  if (cut) end = Math.max(from, from + capacity - footer - 1);
  for (let r = from; r < end; r++) {
    const line = grid.body[r];
    const fill = line.subtotal ? HEAD_FILL : (r - from) % 2 === 1 ? '#f7f9fb' : undefined;
    if (fill) shapes.push({ kind: 'rect', x: body.x, y, w: body.w, h: TABLE_ROW, fill });
    row(line.cells, y, TABLE_ROW);
    y += TABLE_ROW;
  }
  if (cut) {
    const rest = `… ${(total - end).toLocaleString('en-US')} more rows`;
    shapes.push(textShape(rest, { x: body.x + 4, y: y + 10, size: TABLE_SIZE, color: MUTED }, missing));
    y += TABLE_ROW;
  }
  if (end === total || cut) {
    for (const line of grid.footer) {
      shapes.push({ kind: 'line', x1: body.x, y1: y, x2: body.x + body.w, y2: y, stroke: RULE, width: 0.5 });
      shapes.push({ kind: 'rect', x: body.x, y, w: body.w, h: TABLE_ROW, fill: HEAD_FILL });
      row(line.cells, y, TABLE_ROW);
      y += TABLE_ROW;
    }
  }
  shapes.push({ kind: 'line', x1: body.x, y1: y, x2: body.x + body.w, y2: y, stroke: RULE, width: 0.5 });
  if (total === 0) shapes.push(...note('No rows', { ...body, y, h: TABLE_ROW * 2 }, missing));
  return { shapes, next: end };
}

/** Rich text lines from the top of the box; lines that do not fit are left out. */
export function drawRichLines(lines: readonly RichLine[], box: Box, missing: MissingGlyphs): Shape[] {
  const shapes: Shape[] = [];
  let y = box.y;
  for (const line of lines) {
    if (y + line.height > box.y + box.h + 0.5) break;
    for (const segment of line.segments) {
      const at = {
        x: box.x + segment.x,
        y: y + line.height * 0.78,
        size: line.size,
        face: segment.face,
        color: segment.color,
      };
      shapes.push(textShape(segment.text, at, missing));
    }
    y += line.height;
  }
  return shapes;
}

function textWidget(widget: RenderWidget, body: Box, missing: MissingGlyphs): Shape[] {
  const options = widget.visualization.options;
  const source = [options.html, options.text, options.content, options.markdown].find(
    (v) => typeof v === 'string',
  );
  if (typeof source !== 'string') return [];
  // Whether the text is HTML is decided before the values go in, and they go in escaped.
  const values = widget.variables ?? {};
  const html = /<[a-z]/i.test(source)
    ? fillTemplate(source, values, escapeXml)
    : escapeXml(fillTemplate(source, values)).replace(/\n/g, '<br>');
  return drawRichLines(wrapRichText(parseRichText(html), body.w), body, missing);
}

/** A table's rows left to draw on continuation pages, from `from`. */
export interface TableRest {
  grid: TableGrid;
  from: number;
}

export interface WidgetDraw {
  shapes: Shape[];
  /** Rows of a table left for continuation pages. */
  tableRest?: TableRest;
}

export function drawWidget(
  widget: RenderWidget,
  box: Box,
  countRest: boolean,
  missing: MissingGlyphs,
): WidgetDraw {
  const { shapes, body } = cardFrame(widget.title, box, missing);
  const type = widget.visualization.type;
  const result = widget.result;
  if (type === 'text') return { shapes: [...shapes, ...textWidget(widget, body, missing)] };
  if (!result) return { shapes: [...shapes, ...note('No data', body, missing)] };
  if (type === 'kpi') return { shapes: [...shapes, ...kpi(widget, result, body, missing)] };
  if (isChartType(type)) {
    if (result.rows.length === 0) return { shapes: [...shapes, ...note('No data', body, missing)] };
    // Rendered at 4/3 of the box in px and scaled into it, as a browser prints: 12 px labels
    // become 9 pt.
    const svg = renderChartSvg(
      widget.visualization,
      result,
      Math.round(body.w / 0.75),
      Math.round(body.h / 0.75),
    );
    return { shapes: [...shapes, { kind: 'svg', ...body, svg: splitSvgTextRuns(svg, missing) }] };
  }
  // Tables, their totals, and pivots (as the cross-tab of a pivot answer, else as their rows).
  const grid = tableGrid(result, numberFormatOf(widget.visualization.options));
  const table = drawTable(grid, 0, body, countRest, missing);
  const rest = table.next < grid.body.length ? { grid, from: table.next } : undefined;
  return { shapes: [...shapes, ...table.shapes], tableRest: rest };
}
