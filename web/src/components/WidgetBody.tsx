import { fillTemplate } from '../../../src/core/content/variables.ts';
import { isChartType } from '../../../src/core/exports/chart-options.ts';
import { columnLabel, formatValue, isNumeric, numberFormatOf } from '../../../src/core/exports/present.ts';
import type { VariableValues } from '../../../src/core/query/variables.ts';
import type { QueryResult, Scalar, Visualization } from '../types.ts';
import { Chart, type ChartPoint } from './Chart.tsx';
import { DataTable } from './DataTable.tsx';

/** The body of a widget for its visualization type, from a query result. */
export function WidgetBody(props: {
  visualization: Visualization;
  result: QueryResult | null;
  label: string;
  /** The values `{{name}}` in a text widget stands for. */
  variables?: VariableValues;
  onSelect?: (column: string, value: unknown) => void;
  /** A click on a chart's point, with the result row behind it (drill-through). */
  onPoint?: (point: ChartPoint) => void;
  /** Table rows that fit the widget; tables paginate by it. */
  pageSize?: number;
}) {
  const { visualization, result } = props;
  const options = visualization.options ?? {};
  if (visualization.type === 'text') {
    const text = fillTemplate(
      String(options.text ?? options.content ?? options.markdown ?? ''),
      props.variables ?? {},
    );
    return (
      <div className="textwidget">
        {text.split(/\n{2,}/).map((p, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: paragraphs have no identity but their place in the text
          <p key={i}>{p}</p>
        ))}
      </div>
    );
  }
  if (!result) return null;
  if (visualization.type === 'kpi') return <Kpi result={result} options={options} />;
  const format = numberFormatOf(options);
  // A pivot widget's answer is pivoted by the warehouse (core/content drawnQuery): DataTable draws it.
  if (visualization.type === 'table' || visualization.type === 'pivot')
    return <DataTable result={result} caption={props.label} pageSize={props.pageSize} format={format} />;
  if (isChartType(visualization.type)) {
    if (result.rows.length === 0) return <p className="muted center">No data</p>;
    return (
      <Chart
        visualization={visualization}
        result={result}
        label={props.label}
        onSelect={props.onSelect}
        onPoint={props.onPoint}
      />
    );
  }
  return <p className="error">Unknown visualization “{visualization.type}”</p>;
}

function Kpi(props: { result: QueryResult; options: Record<string, unknown> }) {
  const { result, options } = props;
  const index = result.columns.findIndex((c) =>
    options.value ? c.name === options.value : isNumeric(c.type),
  );
  const column = result.columns[index];
  const value = index >= 0 ? (result.rows[0]?.[index] ?? null) : null;
  const previous = index >= 0 && result.rows.length > 1 ? result.rows[1][index] : null;
  const change =
    typeof value === 'number' && typeof previous === 'number' && previous !== 0
      ? (value - previous) / Math.abs(previous)
      : null;
  return (
    <div className="kpi">
      <div className="kpivalue" data-testid="kpi-value">
        {formatValue(value as Scalar, column?.type ?? 'number', numberFormatOf(options), column?.name)}
      </div>
      {column && <div className="kpilabel muted">{columnLabel(column.name)}</div>}
      {change !== null && (
        <div className={change >= 0 ? 'kpichange up' : 'kpichange down'}>
          {change >= 0 ? '▲' : '▼'} {(Math.abs(change) * 100).toFixed(1)}% vs previous
        </div>
      )}
    </div>
  );
}
