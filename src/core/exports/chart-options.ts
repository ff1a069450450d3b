/**
 * ECharts options from a widget's visualization and its query result. Pure and browser-safe:
 * the web UI draws its charts from this same function, so exports look like the screen.
 *
 * Visualization options understood (all optional): `x` (category column), `y` (metric column or
 * columns), `series` (a column whose values split the metrics into one series each),
 * `horizontal` (bars along the y axis), `smooth` (lines), `stacked` (line/area/bar).
 * Without them, `x` is the first non-numeric column and `y` every numeric column; a stacked bar
 * with two non-numeric columns splits by the second one.
 */
import type { EChartsOption, SeriesOption } from 'echarts';
import type { JsonScalar } from '../../engines/types.ts';

export const chartTypes = ['bar', 'stacked_bar', 'line', 'area', 'pie', 'donut', 'scatter'] as const;
export type ChartType = (typeof chartTypes)[number];

export interface ChartVisualization {
  type: string;
  options: Record<string, unknown>;
}

export interface ChartResult {
  columns: readonly { name: string; type: string }[];
  rows: readonly (readonly JsonScalar[])[];
}

export interface ChartFrame {
  title?: string;
  width: number;
  height: number;
  /** Off by default: server renders take one frame; the UI turns it on. */
  animation?: boolean;
  fontFamily?: string;
}

export function isChartType(type: string): type is ChartType {
  return (chartTypes as readonly string[]).includes(type);
}

const NUMERIC = new Set(['integer', 'number']);

interface Fields {
  x: number;
  ys: number[];
  split: number | null;
}

function columnIndex(result: ChartResult, name: unknown): number {
  return typeof name === 'string' ? result.columns.findIndex((c) => c.name === name) : -1;
}

function pickFields(type: ChartType, options: Record<string, unknown>, result: ChartResult): Fields {
  const numeric = result.columns.flatMap((c, i) => (NUMERIC.has(c.type) ? [i] : []));
  const other = result.columns.flatMap((c, i) => (NUMERIC.has(c.type) ? [] : [i]));
  const requestedY = (Array.isArray(options.y) ? options.y : [options.y])
    .map((name) => columnIndex(result, name))
    .filter((i) => i >= 0);
  let x = columnIndex(result, options.x);
  if (x < 0) x = type === 'scatter' ? (numeric[0] ?? 0) : (other[0] ?? 0);
  let split: number | null = columnIndex(result, options.series);
  if (split < 0)
    split = type === 'stacked_bar' && other.length > 1 && requestedY.length === 0 ? other[1] : null;
  const ys = requestedY.length > 0 ? requestedY : numeric.filter((i) => i !== x && i !== split);
  return { x, ys: type === 'scatter' ? ys.slice(0, 1) : ys, split };
}

/** Category labels: timestamps at midnight read as dates; null gets a visible name. */
function label(value: JsonScalar): string {
  if (value === null) return '(empty)';
  const text = String(value);
  return /^\d{4}-\d{2}-\d{2}T00:00:00(\.0+)?Z?$/.test(text) ? text.slice(0, 10) : text;
}

function num(value: JsonScalar): number | null {
  if (value === null || value === '') return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Compact axis numbers (12k, 3.4M) keep axes narrow in small widgets. */
function compact(value: number): string {
  const abs = Math.abs(value);
  for (const [limit, suffix] of [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (abs >= limit) return `${Number((value / limit).toFixed(1))}${suffix}`;
  }
  return String(Number(value.toFixed(2)));
}

function cartesian(type: ChartType, options: Record<string, unknown>, result: ChartResult, fields: Fields) {
  const categories: string[] = [];
  const position = new Map<string, number>();
  for (const row of result.rows) {
    const key = label(row[fields.x]);
    if (!position.has(key)) {
      position.set(key, categories.length);
      categories.push(key);
    }
  }
  const seriesType = type === 'bar' || type === 'stacked_bar' ? 'bar' : 'line';
  const stacked = type === 'stacked_bar' || options.stacked === true;
  const groups = new Map<string, (number | null)[]>();
  for (const row of result.rows) {
    for (const y of fields.ys) {
      const metric = result.columns[y].name;
      const name = fields.split === null ? metric : label(row[fields.split]);
      const key = fields.split !== null && fields.ys.length > 1 ? `${name} · ${metric}` : name;
      let data = groups.get(key);
      if (!data) {
        data = new Array(categories.length).fill(null);
        groups.set(key, data);
      }
      data[position.get(label(row[fields.x])) as number] = num(row[y]);
    }
  }
  const series: SeriesOption[] = [...groups].map(([name, data]) => ({
    type: seriesType,
    name,
    data,
    stack: stacked ? 'total' : undefined,
    smooth: seriesType === 'line' && options.smooth === true,
    areaStyle: type === 'area' ? { opacity: 0.35 } : undefined,
    showSymbol: seriesType === 'line' && categories.length <= 40,
  })) as SeriesOption[];
  const horizontal = options.horizontal === true && seriesType === 'bar';
  const categoryAxis = {
    type: 'category' as const,
    data: categories,
    boundaryGap: seriesType === 'bar',
    axisLabel: { hideOverlap: true },
  };
  const valueAxis = { type: 'value' as const, axisLabel: { formatter: compact } };
  return {
    xAxis: horizontal ? valueAxis : categoryAxis,
    yAxis: horizontal ? { ...categoryAxis, inverse: true } : valueAxis,
    series,
    legend: groups.size > 1 ? { type: 'scroll' as const, bottom: 0 } : undefined,
  };
}

function pie(type: ChartType, result: ChartResult, fields: Fields) {
  const y = fields.ys[0] ?? -1;
  const data = result.rows.map((row) => ({ name: label(row[fields.x]), value: y < 0 ? null : num(row[y]) }));
  return {
    series: [
      {
        type: 'pie' as const,
        radius: type === 'donut' ? ['40%', '68%'] : '68%',
        center: ['50%', '50%'],
        data,
        label: { show: data.length <= 12, formatter: '{b}: {d}%' },
      },
    ],
    legend: data.length > 12 ? { type: 'scroll' as const, orient: 'vertical' as const, right: 0 } : undefined,
  };
}

function scatter(options: Record<string, unknown>, result: ChartResult, fields: Fields) {
  const y = fields.ys[0] ?? fields.x;
  const groups = new Map<string, [number | null, number | null][]>();
  for (const row of result.rows) {
    const name = fields.split === null ? result.columns[y].name : label(row[fields.split]);
    const points = groups.get(name) ?? [];
    points.push([num(row[fields.x]), num(row[y])]);
    groups.set(name, points);
  }
  const axis = (index: number) => ({
    type: 'value' as const,
    scale: true,
    name: result.columns[index]?.name,
    nameLocation: 'middle' as const,
    nameGap: 28,
    axisLabel: { formatter: compact },
  });
  return {
    xAxis: axis(fields.x),
    yAxis: { ...axis(y), nameGap: 40 },
    series: [...groups].map(([name, data]) => ({
      type: 'scatter' as const,
      name,
      data,
      symbolSize: typeof options.symbolSize === 'number' ? options.symbolSize : 8,
    })),
    legend: groups.size > 1 ? { type: 'scroll' as const, bottom: 0 } : undefined,
  };
}

/** The ECharts option for a chart visualization; throws on a type ECharts does not draw. */
export function chartOption(
  visualization: ChartVisualization,
  result: ChartResult,
  frame: ChartFrame,
): EChartsOption {
  const type = visualization.type;
  if (!isChartType(type)) throw new Error(`visualization.type "${type}" is not drawn as a chart`);
  const options = visualization.options ?? {};
  const fields = pickFields(type, options, result);
  const body =
    type === 'pie' || type === 'donut'
      ? pie(type, result, fields)
      : type === 'scatter'
        ? scatter(options, result, fields)
        : cartesian(type, options, result, fields);
  const titled = Boolean(frame.title);
  const legendBelow = body.legend !== undefined && !('orient' in body.legend);
  return {
    animation: frame.animation ?? false,
    textStyle: frame.fontFamily ? { fontFamily: frame.fontFamily } : undefined,
    title: titled ? { text: frame.title, left: 'center', textStyle: { fontSize: 14 } } : undefined,
    tooltip: { trigger: type === 'pie' || type === 'donut' || type === 'scatter' ? 'item' : 'axis' },
    grid: {
      left: 8,
      right: 16,
      top: titled ? 40 : 16,
      bottom: legendBelow ? 32 : 8,
      containLabel: true,
    },
    ...body,
  } as EChartsOption;
}
