/**
 * The display settings of a chart, read from its visualization options, that do not depend on
 * the kind of chart: colours, data labels, the goal line, axis titles and the legend. Browser-safe
 * like the rest of the chart builder. Values of the wrong kind are ignored (the core validates
 * them on save, `content/display-options.ts`); content saved before still draws.
 */
import type { SeriesOption } from 'echarts';
import { formatNumber, type NumberFormat } from './present.ts';

export const legendPlacements = ['auto', 'top', 'bottom', 'right', 'none'] as const;
export type LegendPlacement = (typeof legendPlacements)[number];

/**
 * 25 colours (as many as a chart draws series, `MAX_SERIES`), ECharts' 9 first and then the
 * colours farthest from all before them (CIELAB), so 20 countries get 20 colours people tell apart.
 */
export const PALETTE = [
  '#5070dd',
  '#b6d634',
  '#505372',
  '#ff994d',
  '#0ca8df',
  '#ffd10a',
  '#fb628b',
  '#785db0',
  '#3fbe95',
  '#6b652e',
  '#dc38dc',
  '#2323c7',
  '#822217',
  '#d19a94',
  '#2c8217',
  '#38dc48',
  '#821757',
  '#d3be69',
  '#2e6b5f',
  '#e87dd3',
  '#dc3838',
  '#7c1da5',
  '#94c5d1',
  '#96c577',
  '#949ad1',
];

export const HEX_COLOR = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;
/** The id of the series holding the goal line, which is no data series. */
export const GOAL_SERIES_ID = 'goal';
const GOAL_COLOR = '#c0392b';

/** The series colours: the user's first, in order, then the palette. */
export function colorsOf(options: Record<string, unknown>): string[] {
  const chosen = Array.isArray(options.colors)
    ? options.colors.filter((c): c is string => typeof c === 'string' && HEX_COLOR.test(c))
    : [];
  return [...chosen, ...PALETTE.filter((c) => !chosen.includes(c))];
}

/** An axis title: the user's (empty hides it), else the default. */
export const axisTitle = (given: unknown, fallback: string | undefined): string | undefined =>
  typeof given === 'string' ? given || undefined : fallback;

const labelledValue = (params: unknown): unknown => {
  const value = (params as { value?: unknown }).value;
  // A scatter point is [x, y]: its label is the y value.
  return Array.isArray(value) ? value[1] : value;
};

/** The `label` of a series when `dataLabels` is on: each value in the number format. */
export function dataLabels(
  options: Record<string, unknown>,
  position: 'top' | 'right' | 'inside',
  format: NumberFormat,
) {
  if (options.dataLabels !== true) return undefined;
  return {
    show: true,
    position,
    formatter: (params: unknown) => {
      const value = labelledValue(params);
      return typeof value === 'number' && Number.isFinite(value) ? formatNumber(value, format) : '';
    },
  };
}

export interface Goal {
  value: number;
  label?: string;
}

export function goalOf(options: Record<string, unknown>): Goal | undefined {
  const goal = options.goal as { value?: unknown; label?: unknown } | null | undefined;
  if (typeof goal !== 'object' || goal === null) return undefined;
  if (typeof goal.value !== 'number' || !Number.isFinite(goal.value)) return undefined;
  return typeof goal.label === 'string' && goal.label
    ? { value: goal.value, label: goal.label }
    : { value: goal.value };
}

/** A round number at or past `value` (1234 → 1500), so an axis stretched to a goal keeps round ticks. */
function roundPast(value: number): number {
  const step = 10 ** Math.floor(Math.log10(Math.abs(value))) / 2;
  return Math.sign(value) * Math.ceil(Math.abs(value) / step) * step;
}

/**
 * ECharts leaves mark lines out of an axis' range: stretch the value axis to a goal beyond the
 * data. An axis from zero (bars, lines) is stretched down only to a negative goal: moving its
 * start would cut the bars short.
 */
export function goalRange(goal: Goal | undefined, fromZero: boolean) {
  if (!goal || goal.value === 0) return {};
  const past = roundPast(goal.value);
  const lowest = (extent: { min: number }) => (fromZero ? Math.min(0, extent.min) : extent.min);
  return {
    max: (extent: { max: number }) => (goal.value > extent.max ? past : undefined),
    min: (extent: { min: number }) => (goal.value < lowest(extent) ? past : undefined),
  };
}

/**
 * The goal as a dashed line across the chart: a series of its own holding only the mark line,
 * so hiding a data series keeps it, and a line series, so bars keep their width.
 */
export function goalSeries(goal: Goal, horizontal: boolean, format: NumberFormat): SeriesOption {
  const text = formatNumber(goal.value, format);
  return {
    type: 'line',
    id: GOAL_SERIES_ID,
    name: goal.label ?? 'Goal',
    data: [],
    markLine: {
      silent: true,
      symbol: 'none',
      lineStyle: { color: GOAL_COLOR, type: 'dashed', width: 1.5 },
      label: {
        formatter: goal.label ? `${goal.label}: ${text}` : text,
        // Above the line's top end, ending at the line, on a horizontal chart (a goal stands
        // rather right, past most bars); above its right end otherwise.
        position: horizontal ? 'start' : 'insideEndTop',
        align: horizontal ? 'right' : undefined,
        color: GOAL_COLOR,
        backgroundColor: 'rgba(255, 255, 255, 0.85)',
        padding: [1, 3],
      },
      data: [horizontal ? { xAxis: goal.value } : { yAxis: goal.value }],
    },
  } as SeriesOption;
}

/** The height a wrapping legend takes, from its entries' estimated widths. */
export function wrappedLegendHeight(names: string[], width: number): number {
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

export interface LegendLayout {
  legend?: Record<string, unknown>;
  /** Room the legend takes from the grid's edges. */
  top: number;
  bottom: number;
  right: number;
}

/**
 * The legend at the chosen place (`auto`: the chart kind's own, or none), with the series in
 * `hiddenSeries` switched off; on screen clicking an entry toggles its series.
 */
export function legendLayout(
  options: Record<string, unknown>,
  entries: string[],
  automatic: 'bottom' | 'right' | undefined,
  frame: { width: number; top: number; interactive?: boolean },
): LegendLayout {
  const chosen = (legendPlacements as readonly unknown[]).includes(options.legend)
    ? (options.legend as LegendPlacement)
    : 'auto';
  const place = chosen === 'auto' ? automatic : chosen === 'none' ? undefined : chosen;
  const hidden = Array.isArray(options.hiddenSeries)
    ? options.hiddenSeries.filter((name): name is string => entries.includes(name))
    : [];
  const common = {
    data: entries,
    type: frame.interactive ? 'scroll' : 'plain',
    ...(hidden.length > 0 && { selected: Object.fromEntries(hidden.map((name) => [name, false])) }),
  };
  const none = { top: 0, bottom: 0, right: 0 };
  if (place === undefined || entries.length === 0)
    return { ...none, legend: hidden.length > 0 ? { ...common, show: false } : undefined };
  const height = frame.interactive ? 24 : wrappedLegendHeight(entries, frame.width);
  if (place === 'top')
    return { ...none, top: height, legend: { ...common, top: Math.max(0, frame.top - 8) } };
  if (place === 'bottom') return { ...none, bottom: height, legend: { ...common, bottom: 0 } };
  const longest = Math.max(...entries.map((name) => name.length));
  const width = Math.min(frame.width * 0.35, 40 + longest * 7);
  return {
    ...none,
    right: width,
    legend: { ...common, orient: 'vertical', right: 0, top: 'middle', width },
  };
}

/** Pies stand in the middle of what their legend leaves. */
export function besideLegend(series: SeriesOption[], right: number, width: number): SeriesOption[] {
  if (right === 0) return series;
  return series.map((s) => (s.type === 'pie' ? { ...s, center: [(width - right) / 2, '50%'] } : s));
}
