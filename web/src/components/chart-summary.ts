import { GOAL_SERIES_ID } from '../../../src/core/exports/chart-display.ts';

/*
 * What a drawn chart shows, read back from ECharts' option: the chart keeps it in data
 * attributes so pages and tests can check it without a global.
 */

type Formatter = (params: unknown) => string;
interface DrawnSeries {
  id?: string;
  name?: string;
  data?: unknown[];
  label?: { show?: boolean; formatter?: Formatter | string };
  markLine?: { data?: Record<string, number>[]; label?: { formatter?: string } };
}
interface DrawnAxis {
  type?: string;
  data?: unknown[];
  axisLabel?: { rotate?: number; interval?: number | string; formatter?: (value: number) => string };
}
interface DrawnOption {
  series?: DrawnSeries[];
  xAxis?: DrawnAxis[];
  yAxis?: DrawnAxis[];
  color?: string[];
  legend?: { show?: boolean; data?: string[]; selected?: Record<string, boolean> }[];
  tooltip?: { valueFormatter?: (value: unknown) => string }[];
}

/** The data series: names and values, without the goal line's own series. */
export function drawnSeries(option: DrawnOption) {
  return (option.series ?? [])
    .filter((s) => s.id !== GOAL_SERIES_ID)
    .map((s) => ({ name: s.name, data: s.data }));
}

/** Orientation, category labels, formatted numbers, goal, colours and legend of a drawn chart. */
export function drawnSummary(option: DrawnOption) {
  const [x, y] = [option.xAxis?.[0], option.yAxis?.[0]];
  const category = [x, y].find((axis) => axis?.type === 'category');
  const value = [x, y].find((axis) => axis?.type === 'value');
  const series = (option.series ?? []).filter((s) => s.id !== GOAL_SERIES_ID);
  const goal = option.series?.find((s) => s.id === GOAL_SERIES_ID)?.markLine;
  const first = series[0];
  const formatter = first?.label?.show ? first.label.formatter : undefined;
  const firstValue = first?.data?.find((v) => typeof v === 'number') as number | undefined;
  const legend = option.legend?.[0];
  return {
    horizontal: y?.type === 'category',
    categoryLabels: category && {
      count: category.data?.length ?? 0,
      rotate: category.axisLabel?.rotate ?? 0,
      interval: category.axisLabel?.interval ?? 'auto',
    },
    valueAxisLabel: firstValue !== undefined ? value?.axisLabel?.formatter?.(firstValue) : undefined,
    tooltipValue: firstValue !== undefined ? option.tooltip?.[0]?.valueFormatter?.(firstValue) : undefined,
    dataLabels:
      typeof formatter === 'function' ? (first?.data ?? []).map((v) => formatter({ value: v })) : undefined,
    goal: goal && { value: Object.values(goal.data?.[0] ?? {})[0], label: goal.label?.formatter },
    colors: option.color?.slice(0, series.length),
    legend: legend && { shown: legend.show !== false, hidden: Object.keys(legend.selected ?? {}) },
  };
}
