/**
 * Which result row a click on a chart stands for (drill-through), found the way the chart drew
 * it: a pie has a slice per row; a scatter a point per row of its series; a bar, line or area
 * chart a category per `x` label in each split series, showing that category's first row.
 */
import { SEPARATOR, splitKey } from './chart-cartesian.ts';
import { categoryLabel } from './chart-labels.ts';
import {
  type ChartResult,
  type ChartVisualization,
  cartesianFields,
  isChartType,
  scatterFields,
} from './chart-options.ts';
import { columnLabel } from './present.ts';

/** What ECharts tells of a click on a data item. */
export interface ChartClick {
  name?: string;
  seriesName?: string;
  dataIndex?: number;
}

export function clickedRow(
  visualization: ChartVisualization,
  result: ChartResult,
  click: ChartClick,
): number | undefined {
  const { type } = visualization;
  const options = visualization.options ?? {};
  const index = click.dataIndex ?? -1;
  if (!isChartType(type) || index < 0) return undefined;
  if (type === 'pie' || type === 'donut') return index < result.rows.length ? index : undefined;
  if (type === 'scatter') {
    const { split } = scatterFields(options, result);
    const series = split === undefined ? [] : [split];
    const inSeries = result.rows
      .map((row, at) => ({ row, at }))
      .filter(({ row }) => series.length === 0 || splitKey(result, row, series) === click.seriesName);
    return inSeries[index]?.at;
  }
  const { x, ys, splits } = cartesianFields(options, result);
  const xName = result.columns[x]?.name ?? '';
  const inSeries = (key: string): boolean =>
    splits.length === 0 ||
    click.seriesName === key ||
    (ys.length > 1 &&
      ys.some((y) => click.seriesName === `${key}${SEPARATOR}${columnLabel(result.columns[y].name)}`));
  const at = result.rows.findIndex(
    (row) => categoryLabel(row[x], xName) === click.name && inSeries(splitKey(result, row, splits)),
  );
  return at < 0 ? undefined : at;
}
