/**
 * ECharts options from a widget's visualization and its query result. Pure and browser-safe:
 * the web UI draws its charts from this same function, so exports look like the screen.
 *
 * Visualization options understood (all optional): `x` (category column), `y` (metric column or
 * columns), `series` (a column whose values split the metrics into one series each),
 * `horizontal` (bars along the y axis; unset, automatic when labels do not fit), `smooth`
 * (lines), `stacked` (line/area/bar); display settings: the number format (`present.ts`
 * `NumberFormat`), `xTitle`, `yTitle`, `dataLabels`, `colors`, `goal`, `labelRotation`,
 * `legend`, `hiddenSeries` (`chart-display.ts`, `chart-fit.ts`). Without them, `x` is the first non-numeric column, `y` every numeric column, and the other
 * non-numeric columns split the metrics. A scatter plots metric 1 (x) against metric 2 (y).
 */
import type { EChartsOption, SeriesOption } from 'echarts';
import type { JsonScalar } from '../../engines/types.ts';
import { cartesian } from './chart-cartesian.ts';
import {
  axisTitle,
  besideLegend,
  colorsOf,
  dataLabels,
  goalOf,
  goalRange,
  goalSeries,
  legendLayout,
} from './chart-display.ts';
import { axisNumber, categoryLabel, numberOf, tooltipValue } from './chart-labels.ts';
import { columnLabel, formatNumber, isNumeric, numberFormatOf } from './present.ts';

export { tooltipValue } from './chart-labels.ts';

export const chartTypes = ['bar', 'stacked_bar', 'line', 'area', 'pie', 'donut', 'scatter'] as const;
export type ChartType = (typeof chartTypes)[number];

export interface ChartVisualization {
  type: string;
  options: Record<string, unknown>;
}

export interface ChartResult {
  /** `kind` (the query's column metadata) tells a numeric dimension (a bin, a month number) from a measure. */
  columns: readonly { name: string; type: string; kind?: string }[];
  rows: readonly (readonly JsonScalar[])[];
}

export interface ChartFrame {
  title?: string;
  width: number;
  height: number;
  /** Off by default: server renders take one frame; the UI turns it on. */
  animation?: boolean;
  /** On screen: a scrolling legend. Off (files): a legend that wraps, showing every entry. */
  interactive?: boolean;
  fontFamily?: string;
}

/** What each kind of chart contributes to the option. */
export interface ChartBody {
  xAxis?: unknown;
  yAxis?: unknown;
  series: SeriesOption[];
  /** What a legend lists: the series, or a pie's slices. */
  entries: string[];
  /** Where the chart kind puts its legend when the user leaves it automatic; none when absent. */
  autoLegend?: 'bottom' | 'right';
  /** Room beside the grid for what stands past it (a horizontal chart's goal and value labels), px. */
  room?: { top: number; right: number };
  /** Why the chart does not show every row as it is; shown under the title. */
  notes: string[];
}

export function isChartType(type: string): type is ChartType {
  return (chartTypes as readonly string[]).includes(type);
}

/** The result's columns as the options name them. */
function columnsOf(options: Record<string, unknown>, result: ChartResult) {
  const index = (name: unknown) => {
    const at = typeof name === 'string' ? result.columns.findIndex((c) => c.name === name) : -1;
    return at < 0 ? undefined : at;
  };
  // What is drawn as a value: a numeric column, unless the query says it is a dimension.
  const numeric = (i: number) => isNumeric(result.columns[i].type) && result.columns[i].kind !== 'dimension';
  const all = result.columns.map((_, i) => i);
  return {
    numeric: all.filter(numeric),
    other: all.filter((i) => !numeric(i)),
    isNumeric: numeric,
    x: index(options.x),
    series: index(options.series),
    y: (Array.isArray(options.y) ? options.y : [options.y]).map(index).filter((i) => i !== undefined),
  };
}

export function cartesianFields(options: Record<string, unknown>, result: ChartResult) {
  const columns = columnsOf(options, result);
  const x = columns.x ?? columns.other[0] ?? 0;
  const splits =
    columns.series !== undefined && columns.series !== x
      ? [columns.series]
      : columns.other.filter((i) => i !== x);
  const ys = columns.y.length > 0 ? columns.y : columns.numeric.filter((i) => i !== x && !splits.includes(i));
  return { x, ys, splits };
}

/** Up to 12 slices are labelled with their share; `dataLabels` labels every slice with its value too. */
function sliceLabels(options: Record<string, unknown>, slices: number) {
  if (options.dataLabels !== true) return { show: slices <= 12, formatter: '{b}: {d}%' };
  const format = numberFormatOf(options);
  return {
    show: true,
    formatter: (params: { name: string; value: unknown; percent?: number }) =>
      typeof params.value === 'number'
        ? `${params.name}: ${formatNumber(params.value, format)} (${params.percent ?? 0}%)`
        : params.name,
  };
}

/** Slices are named by every non-numeric column, `x` first. */
function pie(type: ChartType, options: Record<string, unknown>, result: ChartResult): ChartBody {
  const columns = columnsOf(options, result);
  const x = columns.x ?? columns.other[0] ?? 0;
  const names = [x, ...columns.other.filter((i) => i !== x)];
  const y = columns.y[0] ?? columns.numeric.find((i) => i !== x);
  const data = result.rows.map((row) => ({
    name: names.map((i) => categoryLabel(row[i], result.columns[i].name)).join(' · '),
    value: y === undefined ? null : numberOf(row[y]),
  }));
  return {
    series: [
      {
        type: 'pie',
        name: y === undefined ? undefined : columnLabel(result.columns[y].name),
        radius: type === 'donut' ? ['40%', '68%'] : '68%',
        center: ['50%', '50%'],
        data,
        label: sliceLabels(options, data.length),
      } as SeriesOption, // a missing value (null) is a slice ECharts leaves out
    ],
    entries: data.map((d) => d.name),
    autoLegend: data.length > 12 ? 'right' : undefined,
    notes: [],
  };
}

export function scatterFields(options: Record<string, unknown>, result: ChartResult) {
  const columns = columnsOf(options, result);
  // Both axes are value axes: a non-numeric `x` or `y` cannot be one.
  const wantedY = columns.y.filter(columns.isNumeric);
  const x =
    columns.x !== undefined && columns.isNumeric(columns.x)
      ? columns.x
      : columns.numeric.find((i) => !wantedY.includes(i));
  const y = wantedY.find((i) => i !== x) ?? columns.numeric.find((i) => i !== x);
  const split = columns.series;
  return { x, y, split, names: columns.other.filter((i) => i !== split), numeric: columns.numeric };
}

/** One point per row, metric 1 against metric 2, named by the row's other columns. */
function scatter(options: Record<string, unknown>, result: ChartResult): ChartBody {
  const { x, y, split, names, numeric } = scatterFields(options, result);
  const label = (i: number) => columnLabel(result.columns[i].name);
  if (x === undefined || y === undefined) {
    const has = numeric.length === 0 ? 'none' : `only one: ${label(numeric[0])}`;
    const note = `Scatter needs two numeric columns, one per axis; this result has ${has}`;
    return { series: [], entries: [], notes: [note] };
  }
  const groups = new Map<string, { name: string; value: (number | null)[] }[]>();
  for (const row of result.rows) {
    const group = split === undefined ? '' : categoryLabel(row[split], result.columns[split].name);
    const points = groups.get(group) ?? [];
    const name = names.map((i) => categoryLabel(row[i], result.columns[i].name)).join(' · ');
    points.push({ name, value: [numberOf(row[x]), numberOf(row[y])] });
    groups.set(group, points);
  }
  const format = numberFormatOf(options);
  const goal = goalOf(options);
  const axis = (index: number, title: unknown) => ({
    type: 'value' as const,
    scale: true,
    name: axisTitle(title, label(index)),
    nameLocation: 'middle' as const,
    nameGap: 28,
    axisLabel: { formatter: axisNumber(format) },
  });
  const points = [...groups].map(
    ([name, data]): SeriesOption => ({
      type: 'scatter' as const,
      name: split === undefined ? undefined : name,
      // Named dimensions, both in the tooltip: it shows each axis' value under its name.
      dimensions: [
        { name: 'x', displayName: label(x) },
        { name: 'y', displayName: label(y) },
      ],
      encode: { x: 'x', y: 'y', tooltip: ['x', 'y'] },
      data,
      symbolSize: typeof options.symbolSize === 'number' ? options.symbolSize : 8,
      label: dataLabels(options, 'top', format),
    }),
  );
  return {
    xAxis: axis(x, options.xTitle),
    yAxis: { ...axis(y, options.yTitle), nameGap: 44, ...goalRange(goal, false) },
    series: goal ? [...points, goalSeries(goal, false, format)] : points,
    entries: split === undefined ? [] : [...groups.keys()],
    autoLegend: groups.size > 1 ? 'bottom' : undefined,
    notes: [],
  };
}

/** The column whose value a click on the chart selects (cross-filtering), if there is one. */
export function categoryColumn(visualization: ChartVisualization, result: ChartResult): string | undefined {
  const options = visualization.options ?? {};
  const type = visualization.type;
  if (type === 'scatter' || type === 'pie' || type === 'donut') {
    const names =
      type === 'scatter' ? scatterFields(options, result).names : columnsOf(options, result).other;
    return names.length === 1 ? result.columns[names[0]].name : undefined;
  }
  return result.columns[cartesianFields(options, result).x]?.name;
}

const NOTE_STYLE = { color: '#9a5b00', fontSize: 12, fontWeight: 'normal' as const };

/** The frame's title with the note under it; without a title the note is the title line itself. */
function titleOf(title: string | undefined, note: string | undefined) {
  if (title)
    return {
      text: title,
      subtext: note,
      left: 'center',
      textStyle: { fontSize: 14 },
      subtextStyle: NOTE_STYLE,
    };
  return note ? { text: note, left: 'center', textStyle: NOTE_STYLE } : undefined;
}

/**
 * The ECharts option for a chart visualization, its note (why it does not show every row as it
 * is, also drawn on the chart) and its legend's entries. Throws on a type ECharts does not draw.
 */
export function chartDrawing(
  visualization: ChartVisualization,
  result: ChartResult,
  frame: ChartFrame,
): { option: EChartsOption; note?: string; entries: string[] } {
  const type = visualization.type;
  if (!isChartType(type)) throw new Error(`visualization.type "${type}" is not drawn as a chart`);
  const options = visualization.options ?? {};
  const {
    entries,
    autoLegend,
    notes,
    series,
    room = { top: 0, right: 0 },
    ...axes
  } = type === 'pie' || type === 'donut'
    ? pie(type, options, result)
    : type === 'scatter'
      ? scatter(options, result)
      : cartesian(type, options, result, cartesianFields(options, result), frame);
  const note = notes.length > 0 ? notes.join('; ') : undefined;
  const top = (frame.title ? 40 : 16) + (note ? 18 : 0) + room.top;
  const legend = legendLayout(options, entries, autoLegend, { ...frame, top });
  const format = numberFormatOf(options);
  const option = {
    animation: frame.animation ?? false,
    textStyle: frame.fontFamily ? { fontFamily: frame.fontFamily } : undefined,
    color: colorsOf(options),
    title: titleOf(frame.title, note),
    tooltip: {
      trigger: type === 'pie' || type === 'donut' || type === 'scatter' ? 'item' : 'axis',
      valueFormatter: (value: unknown) => tooltipValue(value, format),
      confine: true,
      // A tooltip of many series is taller than a small widget, whose card would clip it.
      appendTo: frame.interactive ? 'body' : undefined,
    },
    // The grid's edges bound its axis labels and names too, so nothing is cut off.
    grid: {
      left: 8,
      right: 16 + legend.right + room.right,
      top: top + legend.top,
      bottom: 8 + legend.bottom,
      outerBoundsMode: 'same',
      outerBoundsContain: 'all',
    },
    legend: legend.legend,
    series: besideLegend(series, legend.right, frame.width),
    ...axes,
  } as EChartsOption;
  return { option, note, entries };
}

export function chartOption(
  visualization: ChartVisualization,
  result: ChartResult,
  frame: ChartFrame,
): EChartsOption {
  return chartDrawing(visualization, result, frame).option;
}
