import { BarChart, LineChart, PieChart, ScatterChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { LabelLayout } from 'echarts/features';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef, useState } from 'react';
import { categoryColumn, chartDrawing } from '../../../src/core/exports/chart-options.ts';
import { clickedRow } from '../../../src/core/exports/chart-points.ts';
import type { QueryResult, Scalar, Visualization } from '../types.ts';
import { drawnSeries, drawnSummary } from './chart-summary.ts';

/** The result row behind a clicked point, its values by column name (drill-through). */
export interface ChartPoint {
  row: number;
  values: Record<string, Scalar>;
}

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  ScatterChart,
  GridComponent,
  LegendComponent,
  MarkLineComponent, // goal lines
  TitleComponent,
  TooltipComponent,
  LabelLayout, // data labels that would overlap are left out
  CanvasRenderer,
]);

/** An ECharts chart from the same option builder the server's PDF/PNG exports use. */
export function Chart(props: {
  visualization: Visualization;
  result: QueryResult;
  label: string;
  /** A click on a category: the category column and its value (cross-filtering). */
  onSelect?: (column: string, value: unknown) => void;
  /** A click on a point: the whole result row behind it, every dimension's value (drill-through). */
  onPoint?: (point: ChartPoint) => void;
}) {
  const onSelect = useRef(props.onSelect);
  onSelect.current = props.onSelect;
  const onPoint = useRef(props.onPoint);
  onPoint.current = props.onPoint;
  // What is drawn, for the click handler registered once.
  const shown = useRef({ visualization: props.visualization, result: props.result });
  const xColumn = useRef<string | undefined>(undefined);
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  // Why the chart does not show every row as it is (also drawn under its title), for screen readers.
  const [note, setNote] = useState<string | undefined>(undefined);
  // The option depends on the size: labels turn, or bars lie down, when they do not fit.
  const [size, setSize] = useState({ width: 0, height: 0 });

  useEffect(() => {
    const el = element.current;
    if (!el) return;
    const instance = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('click', (params) => {
      const column = xColumn.current;
      if (column && params.name !== undefined) onSelect.current?.(column, params.name);
      const { visualization, result } = shown.current;
      const row = clickedRow(
        { type: visualization.type, options: visualization.options ?? {} },
        result,
        params,
      );
      if (row === undefined || !onPoint.current) return;
      const values = Object.fromEntries(result.columns.map((c, i) => [c.name, result.rows[row][i]]));
      onPoint.current({ row, values });
    });
    const observer = new ResizeObserver(() => {
      instance.resize();
      setSize({ width: el.clientWidth, height: el.clientHeight });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const el = element.current;
    const instance = chart.current;
    if (!el || !instance) return;
    const visualization = { type: props.visualization.type, options: props.visualization.options ?? {} };
    const { option, note } = chartDrawing(visualization, props.result, {
      width: size.width || el.clientWidth || 400,
      height: size.height || el.clientHeight || 240,
      animation: false,
      interactive: true,
    });
    instance.setOption(option, { notMerge: true });
    xColumn.current = categoryColumn(visualization, props.result);
    shown.current = { visualization, result: props.result };
    setNote(note);
    // What was drawn, read back from ECharts: lets a page check it without a global.
    const drawn = instance.getOption() as Parameters<typeof drawnSummary>[0];
    el.dataset.series = JSON.stringify(drawnSeries(drawn));
    el.dataset.option = JSON.stringify(drawnSummary(drawn));
    el.dataset.rendered = 'true';
  }, [props.visualization, props.result, size]);

  return (
    <div
      className="chart"
      ref={element}
      role="img"
      aria-label={note ? `${props.label} (${note})` : props.label}
    />
  );
}
