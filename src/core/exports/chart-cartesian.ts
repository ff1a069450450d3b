/**
 * Bar, line and area charts: one series per metric, times one per value of the split columns.
 * What the chart cannot show faithfully (too many series, rows landing on the same point) is
 * said in notes, never dropped silently.
 */
import type { SeriesOption } from 'echarts';
import type { JsonScalar } from '../../engines/types.ts';
import { axisTitle, dataLabels, goalOf, goalRange, goalSeries } from './chart-display.ts';
import { fitCategories } from './chart-fit.ts';
import { axisNumber, categoryLabel, numberOf } from './chart-labels.ts';
import type { ChartBody, ChartResult } from './chart-options.ts';
import { columnLabel, formatNumber, type NumberFormat, numberFormatOf } from './present.ts';

/** More lines than this are unreadable; the palette (`chart-display.ts`) has as many colours. */
export const MAX_SERIES = 25;

export interface CartesianFields {
  /** The category column. */
  x: number;
  /** The metric columns. */
  ys: number[];
  /** The columns whose values split each metric into series (their labels joined). */
  splits: number[];
}

export interface SeriesData {
  name: string;
  data: (number | null)[];
}

interface Group {
  key: string;
  /** Per metric, per category. */
  data: (number | null)[][];
  /** Of the first metric, to keep the largest groups. */
  total: number;
  /** Rows seen per category. */
  rows: Map<number, number>;
}

const TIME = new Set(['date', 'datetime']);
/** Joins the labels of a series' split values, and a split series' metric name. */
export const SEPARATOR = ' · ';

/** The series a row belongs to: its split columns' labels. */
export const splitKey = (
  result: ChartResult,
  row: readonly JsonScalar[],
  splits: readonly number[],
): string => splits.map((i) => categoryLabel(row[i], result.columns[i].name)).join(SEPARATOR);

/** Raw time values in time order (ISO strings sort as text), null last. */
function inTimeOrder(a: JsonScalar | undefined, b: JsonScalar | undefined): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  return String(a) < String(b) ? -1 : 1;
}

function categoriesOf(result: ChartResult, fields: CartesianFields): string[] {
  const column = result.columns[fields.x];
  const raw = new Map<string, JsonScalar>();
  for (const row of result.rows) {
    const label = categoryLabel(row[fields.x], column.name);
    if (!raw.has(label)) raw.set(label, row[fields.x]);
  }
  const labels = [...raw.keys()];
  // Split rows come in an order that says nothing about the axis; time runs left to right.
  if (fields.splits.length > 0 && TIME.has(column.type))
    labels.sort((a, b) => inTimeOrder(raw.get(a), raw.get(b)));
  return labels;
}

/** The categories and series of the chart, with what it had to leave out. */
export function cartesianSeries(
  result: ChartResult,
  fields: CartesianFields,
): { categories: string[]; series: SeriesData[]; notes: string[] } {
  const categories = categoriesOf(result, fields);
  const position = new Map(categories.map((label, index) => [label, index]));
  const xName = result.columns[fields.x].name;
  const groups = new Map<string, Group>();
  let sharing = 0;
  for (const row of result.rows) {
    const key = splitKey(result, row, fields.splits);
    let group = groups.get(key);
    if (!group) {
      group = {
        key,
        data: fields.ys.map(() => new Array(categories.length).fill(null)),
        total: 0,
        rows: new Map(),
      };
      groups.set(key, group);
    }
    const at = position.get(categoryLabel(row[fields.x], xName)) as number;
    const seen = group.rows.get(at) ?? 0;
    group.rows.set(at, seen + 1);
    if (seen > 0) {
      sharing += seen === 1 ? 2 : 1; // the first row of the point counts once it has company
      continue;
    }
    fields.ys.forEach((y, m) => {
      group.data[m][at] = numberOf(row[y]);
    });
    group.total += numberOf(row[fields.ys[0]]) ?? 0;
  }

  const metrics = fields.ys.slice(0, MAX_SERIES);
  const room = Math.max(1, Math.floor(MAX_SERIES / metrics.length));
  let shown = [...groups.values()];
  if (shown.length > room) {
    const largest = new Set([...shown].sort((a, b) => b.total - a.total).slice(0, room));
    shown = shown.filter((group) => largest.has(group));
  }
  const metricName = (y: number) => columnLabel(result.columns[y].name);
  const series = shown.flatMap((group) =>
    metrics.map((y, m) => ({
      name:
        fields.splits.length === 0
          ? metricName(y)
          : fields.ys.length === 1
            ? group.key
            : `${group.key}${SEPARATOR}${metricName(y)}`,
      data: group.data[m],
    })),
  );
  const notes: string[] = [];
  const all = groups.size * fields.ys.length;
  if (series.length < all) notes.push(`showing ${series.length} of ${all} series`);
  if (sharing > 0) notes.push(`${sharing} rows share a point; showing the first`);
  return { categories, series, notes };
}

/** How far the widest data label reaches past its bar's end (ECharts' grid does not count them). */
function valueLabelsWidth(
  options: Record<string, unknown>,
  series: SeriesData[],
  stacked: boolean,
  format: NumberFormat,
): number {
  if (options.dataLabels !== true || stacked) return 0;
  const values = series.flatMap((s) => s.data).filter((v): v is number => v !== null);
  const widest = Math.max(0, ...values.map((v) => formatNumber(v, format).length));
  return widest * 7;
}

export function cartesian(
  type: string,
  options: Record<string, unknown>,
  result: ChartResult,
  fields: CartesianFields,
  frame: { width: number; height: number },
): ChartBody {
  const { categories, series, notes } = cartesianSeries(result, fields);
  const seriesType = type === 'bar' || type === 'stacked_bar' ? 'bar' : 'line';
  const stacked = type === 'stacked_bar' || options.stacked === true;
  const fit = fitCategories(
    categories,
    { bar: seriesType === 'bar', horizontal: options.horizontal, rotation: options.labelRotation },
    frame,
  );
  const horizontal = fit.horizontal;
  const format = numberFormatOf(options);
  const goal = goalOf(options);
  const categoryAxis = {
    type: 'category' as const,
    data: categories,
    boundaryGap: seriesType === 'bar',
    name: axisTitle(options.xTitle, columnLabel(result.columns[fields.x].name)),
    nameLocation: 'middle' as const,
    nameGap: 28,
    axisLabel: fit.axisLabel,
  };
  const valueAxis = {
    type: 'value' as const,
    // One metric split into series: its name is nowhere else on the chart.
    name: axisTitle(
      options.yTitle,
      fields.ys.length === 1 ? columnLabel(result.columns[fields.ys[0]].name) : undefined,
    ),
    nameLocation: 'middle' as const,
    nameGap: horizontal ? 28 : 44,
    axisLabel: { formatter: axisNumber(format), hideOverlap: true },
    ...goalRange(goal, true),
  };
  const labelAt = stacked ? 'inside' : horizontal ? 'right' : 'top';
  const drawn = series.map(({ name, data }) => ({
    type: seriesType,
    name,
    data,
    stack: stacked ? 'total' : undefined,
    smooth: seriesType === 'line' && options.smooth === true,
    areaStyle: type === 'area' ? { opacity: 0.35 } : undefined,
    showSymbol: seriesType === 'line' && categories.length <= 40,
    label: dataLabels(options, labelAt, format),
    // Values of neighbouring bars or points would print over each other.
    labelLayout: options.dataLabels === true ? { hideOverlap: true } : undefined,
  })) as SeriesOption[];
  return {
    xAxis: horizontal ? valueAxis : categoryAxis,
    yAxis: horizontal ? { ...categoryAxis, inverse: true, nameGap: 44 } : valueAxis,
    series: goal ? [...drawn, goalSeries(goal, horizontal, format)] : drawn,
    entries: series.map((s) => s.name),
    room: horizontal
      ? { top: goal ? 14 : 0, right: valueLabelsWidth(options, series, stacked, format) }
      : undefined,
    autoLegend: series.length > 1 ? 'bottom' : undefined,
    notes,
  };
}
