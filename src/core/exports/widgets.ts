/**
 * How each kind of widget is drawn into its box: charts through ECharts SVG, KPIs as a big
 * number with a label, tables as text grids that report where they stopped, text as rich text.
 */
import type { JsonScalar, ResultColumn } from '../../engines/types.ts';
// The pure template file itself, not the content module: this runs in the render workers.
import { fillTemplate } from '../content/variables.ts';
import { isChartType } from './chart-options.ts';
import { renderChartSvg, splitSvgTextRuns } from './chart-svg.ts';
import { fitText, type MissingGlyphs, measureText } from './fonts.ts';
import type { Box } from './layout.ts';
import { columnLabel, formatValue, isNumeric, type NumberFormat, numberFormatOf } from './present.ts';
import { escapeXml, parseRichText, type RichLine, wrapRichText } from './rich-text.ts';
import { type Shape, textShape } from './scene.ts';
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

/** Cell text as people read it (`present.ts`, numbers in the widget's format), on one line; null as empty. */
function cellText(value: JsonScalar, column: ResultColumn, format: NumberFormat): string {
  if (value === null) return '';
  return formatValue(value, column.type, format, column.name).replace(/\s+/g, ' ');
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

/** A table's rows with its widget's number format, which continuation pages keep. */
export interface TableResult extends WidgetResult {
  format?: NumberFormat;
}

/** Column widths from the header and a sample of rows, stretched or squeezed to the width. */
function columnWidths(result: TableResult, width: number): number[] {
  const sample = result.rows.slice(0, 100);
  const natural = result.columns.map((column, i) => {
    let widest = measureText(columnLabel(column.name), TABLE_SIZE, 'bold');
    for (const row of sample)
      widest = Math.max(widest, measureText(cellText(row[i], column, result.format ?? {}), TABLE_SIZE));
    return Math.min(Math.max(widest + 10, 36), 260);
  });
  const total = natural.reduce((a, b) => a + b, 0);
  return natural.map((w) => (w * width) / total);
}

export interface TableDraw {
  shapes: Shape[];
  /** Index of the first row not drawn; equals the row count when all fit. */
  next: number;
}

/**
 * Draws rows from `from` while they fit. With `countRest`, the last line says how many rows
 * were left out (PNG); otherwise the caller continues them on further pages (PDF).
 */
export function drawTable(
  result: TableResult,
  from: number,
  body: Box,
  countRest: boolean,
  missing: MissingGlyphs,
): TableDraw {
  const widths = columnWidths(result, body.w);
  const shapes: Shape[] = [
    { kind: 'rect', x: body.x, y: body.y, w: body.w, h: TABLE_ROW + 2, fill: '#eef1f5' },
  ];
  const row = (values: string[], y: number, bold: boolean) => {
    let x = body.x;
    values.forEach((value, i) => {
      const right = isNumeric(result.columns[i].type);
      const text = fitText(value, widths[i] - 8, TABLE_SIZE, bold ? 'bold' : 'regular');
      const at = {
        x: right ? x + widths[i] - 4 : x + 4,
        y,
        size: TABLE_SIZE,
        face: bold ? ('bold' as const) : ('regular' as const),
      };
      shapes.push(textShape(text, { ...at, anchor: right ? 'end' : 'start' }, missing));
      x += widths[i];
    });
  };
  row(
    result.columns.map((c) => columnLabel(c.name)),
    body.y + 11,
    true,
  );
  let y = body.y + TABLE_ROW + 2;
  let capacity = Math.floor((body.y + body.h - y) / TABLE_ROW);
  if (countRest && result.rows.length - from > capacity) capacity -= 1;
  const end = Math.min(result.rows.length, from + Math.max(0, capacity));
  for (let r = from; r < end; r++) {
    if ((r - from) % 2 === 1)
      shapes.push({ kind: 'rect', x: body.x, y, w: body.w, h: TABLE_ROW, fill: '#f7f9fb' });
    row(
      result.rows[r].map((value, i) => cellText(value, result.columns[i], result.format ?? {})),
      y + 10,
      false,
    );
    y += TABLE_ROW;
  }
  shapes.push({ kind: 'line', x1: body.x, y1: y, x2: body.x + body.w, y2: y, stroke: RULE, width: 0.5 });
  if (countRest && end < result.rows.length) {
    const rest = `… ${(result.rows.length - end).toLocaleString('en-US')} more rows`;
    shapes.push(textShape(rest, { x: body.x + 4, y: y + 10, size: TABLE_SIZE, color: MUTED }, missing));
  }
  if (result.rows.length === 0) shapes.push(...note('No rows', { ...body, y: y, h: TABLE_ROW * 2 }, missing));
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

export interface WidgetDraw {
  shapes: Shape[];
  /** Rows of a table left for continuation pages. */
  tableRest?: { result: TableResult; from: number };
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
  // Tables and pivots (a pivot is drawn as its flat result).
  const formatted = { ...result, format: numberFormatOf(widget.visualization.options) };
  const table = drawTable(formatted, 0, body, countRest, missing);
  const rest = table.next < result.rows.length ? { result: formatted, from: table.next } : undefined;
  return { shapes: [...shapes, ...table.shapes], tableRest: rest };
}
