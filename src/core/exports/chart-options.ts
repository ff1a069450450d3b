/**
 * ECharts options from a widget's visualization and its query result. Pure and browser-safe:
 * the web UI draws its charts from this same function, so exports look like the screen.
 *
 * Visualization options understood (all optional): `x` (category column), `y` (metric column or
 * columns), `series` (a column whose values split the metrics into one series each),
 * `horizontal` (bars along the y axis), `smooth` (lines), `stacked` (line/area/bar).
 * Without them, `x` is the first non-numeric column, `y` every numeric column, and the other
 * non-numeric columns split the metrics. A scatter plots metric 1 (x) against metric 2 (y).
 */
import type { EChartsOption, SeriesOption } from 'echarts';
import type { JsonScalar } from '../../engines/types.ts';
import { cartesian } from './chart-cartesian.ts';
import { axisNumber, categoryLabel, numberOf, tooltipValue } from './chart-labels.ts';
import { columnLabel, isNumeric } from './present.ts';

export { tooltipValue } from './chart-labels.ts';

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
  /** On screen: a scrolling legend. Off (files): a legend that wraps, showing every entry. */
  interactive?: boolean;
  fontFamily?: string;
}

/** What each kind of chart contributes to the option. */
export interface ChartBody {
  xAxis?: unknown;
  yAxis?: unknown;
  series: SeriesOption[];
  /** The legend's entries, when the chart has one. */
  legend?: string[];
  /** The legend stands at the right (pies) rather than below. */
  legendAside?: boolean;
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
  const numeric = (i: number) => isNumeric(result.columns[i].type);
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

function cartesianFields(options: Record<string, unknown>, result: ChartResult) {
  const columns = columnsOf(options, result);
  const x = columns.x ?? columns.other[0] ?? 0;
  const splits =
    columns.series !== undefined && columns.series !== x
      ? [columns.series]
      : columns.other.filter((i) => i !== x);
  const ys = columns.y.length > 0 ? columns.y : columns.numeric.filter((i) => i !== x && !splits.includes(i));
  return { x, ys, splits };
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
        label: { show: data.length <= 12, formatter: '{b}: {d}%' },
      } as SeriesOption, // a missing value (null) is a slice ECharts leaves out
    ],
    legend: data.length > 12 ? data.map((d) => d.name) : undefined,
    legendAside: true,
    notes: [],
  };
}

function scatterFields(options: Record<string, unknown>, result: ChartResult) {
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
    return { series: [], notes: [`Scatter needs two numeric columns, one per axis; this result has ${has}`] };
  }
  const groups = new Map<string, { name: string; value: (number | null)[] }[]>();
  for (const row of result.rows) {
    const group = split === undefined ? '' : categoryLabel(row[split], result.columns[split].name);
    const points = groups.get(group) ?? [];
    const name = names.map((i) => categoryLabel(row[i], result.columns[i].name)).join(' · ');
    points.push({ name, value: [numberOf(row[x]), numberOf(row[y])] });
    groups.set(group, points);
  }
  const axis = (index: number) => ({
    type: 'value' as const,
    scale: true,
    name: label(index),
    nameLocation: 'middle' as const,
    nameGap: 28,
    axisLabel: { formatter: axisNumber },
  });
  return {
    xAxis: axis(x),
    yAxis: { ...axis(y), nameGap: 44 },
    series: [...groups].map(([name, data]) => ({
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
    })),
    legend: groups.size > 1 ? [...groups.keys()] : undefined,
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

/** The height a wrapping legend takes below the chart, from its entries' estimated widths. */
function wrappedLegendHeight(names: string[], width: number): number {
  let rows = 1;
  let used = 0;
  for (const name of names) {
    const entry = 40 + name.length * 7; // icon, gaps and ~7 px per character at 12 px
    if (used > 0 && used + entry > width) {
      rows++;
      used = 0;
    }
    used += entry;
  }
  return rows * 22;
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
 * The ECharts option for a chart visualization, and its note: why it does not show every row as
 * it is (also drawn on the chart). Throws on a type ECharts does not draw.
 */
export function chartDrawing(
  visualization: ChartVisualization,
  result: ChartResult,
  frame: ChartFrame,
): { option: EChartsOption; note?: string } {
  const type = visualization.type;
  if (!isChartType(type)) throw new Error(`visualization.type "${type}" is not drawn as a chart`);
  const options = visualization.options ?? {};
  const { legend, legendAside, notes, ...body } =
    type === 'pie' || type === 'donut'
      ? pie(type, options, result)
      : type === 'scatter'
        ? scatter(options, result)
        : cartesian(type, options, result, cartesianFields(options, result));
  const note = notes.length > 0 ? notes.join('; ') : undefined;
  const titled = Boolean(frame.title);
  const legendType = frame.interactive ? ('scroll' as const) : ('plain' as const);
  const below = legend !== undefined && !legendAside;
  const option = {
    animation: frame.animation ?? false,
    textStyle: frame.fontFamily ? { fontFamily: frame.fontFamily } : undefined,
    title: titleOf(frame.title, note),
    tooltip: {
      trigger: type === 'pie' || type === 'donut' || type === 'scatter' ? 'item' : 'axis',
      valueFormatter: tooltipValue,
      confine: true,
      // A tooltip of many series is taller than a small widget, whose card would clip it.
      appendTo: frame.interactive ? 'body' : undefined,
    },
    // The grid's edges bound its axis labels and names too, so nothing is cut off.
    grid: {
      left: 8,
      right: 16,
      top: (titled ? 40 : 16) + (note ? 18 : 0),
      bottom: !below ? 8 : frame.interactive ? 32 : wrappedLegendHeight(legend, frame.width) + 8,
      outerBoundsMode: 'same',
      outerBoundsContain: 'all',
    },
    legend: legend && {
      type: legendType,
      ...(legendAside ? { orient: 'vertical' as const, right: 0, top: 'middle' } : { bottom: 0 }),
    },
    ...body,
  } as EChartsOption;
  return { option, note };
}

export function chartOption(
  visualization: ChartVisualization,
  result: ChartResult,
  frame: ChartFrame,
): EChartsOption {
  return chartDrawing(visualization, result, frame).option;
}
