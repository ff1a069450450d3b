import { BarChart, LineChart, PieChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef, useState } from 'react';
import { categoryColumn, chartDrawing } from '../../../src/core/exports/chart-options.ts';
import type { QueryResult, Visualization } from '../types.ts';

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  ScatterChart,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
]);

/** An ECharts chart from the same option builder the server's PDF/PNG exports use. */
export function Chart(props: {
  visualization: Visualization;
  result: QueryResult;
  label: string;
  /** A click on a category: the category column and its value (cross-filtering). */
  onSelect?: (column: string, value: unknown) => void;
}) {
  const onSelect = useRef(props.onSelect);
  onSelect.current = props.onSelect;
  const xColumn = useRef<string | undefined>(undefined);
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  // Why the chart does not show every row as it is (also drawn under its title), for screen readers.
  const [note, setNote] = useState<string | undefined>(undefined);

  useEffect(() => {
    const el = element.current;
    if (!el) return;
    const instance = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('click', (params) => {
      const column = xColumn.current;
      if (column && params.name !== undefined) onSelect.current?.(column, params.name);
    });
    const observer = new ResizeObserver(() => instance.resize());
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
      width: el.clientWidth || 400,
      height: el.clientHeight || 240,
      animation: false,
      interactive: true,
    });
    instance.setOption(option, { notMerge: true });
    xColumn.current = categoryColumn(visualization, props.result);
    setNote(note);
    // What was drawn, read back from ECharts: lets a page check its series without a global.
    const drawn = (instance.getOption().series ?? []) as { name?: string; data?: unknown }[];
    el.dataset.series = JSON.stringify(drawn.map((s) => ({ name: s.name, data: s.data })));
    el.dataset.rendered = 'true';
  }, [props.visualization, props.result]);

  return (
    <div
      className="chart"
      ref={element}
      role="img"
      aria-label={note ? `${props.label} (${note})` : props.label}
    />
  );
}
