import { columnLabel, isNumeric } from '../../../src/core/exports/present.ts';
import type { QueryResult } from '../types.ts';

const CARTESIAN = new Set(['bar', 'stacked_bar', 'line', 'area']);

/** Whether a chart type draws on axes the user can choose. */
export const hasChartAxes = (type: string) => CARTESIAN.has(type) || type === 'scatter';

type Options = Record<string, unknown>;
type Column = QueryResult['columns'][number];

/** A copy of `options` with `key` set, or removed when `value` is empty ("Automatic"). */
function withOption(options: Options, key: string, value: string | string[]): Options {
  const { [key]: _, ...rest } = options;
  return value.length === 0 ? rest : { ...rest, [key]: value };
}

function ColumnSelect(props: {
  label: string;
  value: unknown;
  columns: Column[];
  onChange: (value: string) => void;
}) {
  const value = typeof props.value === 'string' ? props.value : '';
  const known = value === '' || props.columns.some((c) => c.name === value);
  return (
    <label>
      {props.label}
      <select value={value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">Automatic</option>
        {!known && <option value={value}>{columnLabel(value)} (not in the result)</option>}
        {props.columns.map((c) => (
          <option key={c.name} value={c.name}>
            {columnLabel(c.name)}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * The axes of a chart from its result's columns: x, the column splitting the metrics into
 * series, and the metrics drawn. Stored in `visualization.options.x/series/y`; unset is
 * "Automatic" (the chart builder's defaults).
 */
export function ChartAxes(props: {
  type: string;
  columns: Column[];
  options: Options;
  onChange: (options: Options) => void;
}) {
  const { type, columns, options, onChange } = props;
  if (!hasChartAxes(type)) return null;
  const metrics = columns.filter((c) => isNumeric(c.type));
  const others = columns.filter((c) => !isNumeric(c.type));
  const scatter = type === 'scatter';
  const chosenY = (Array.isArray(options.y) ? options.y : [options.y]).filter(
    (y): y is string => typeof y === 'string',
  );
  return (
    <fieldset aria-label="Chart axes">
      <legend>Chart axes</legend>
      <div className="row">
        <ColumnSelect
          label="X axis"
          value={options.x}
          columns={scatter ? metrics : columns}
          onChange={(x) => onChange(withOption(options, 'x', x))}
        />
        <ColumnSelect
          label="Series (split by)"
          value={options.series}
          columns={others.filter((c) => c.name !== options.x)}
          onChange={(series) => onChange(withOption(options, 'series', series))}
        />
        {scatter && (
          <ColumnSelect
            label="Y axis (metrics)"
            value={chosenY[0]}
            columns={metrics}
            onChange={(y) => onChange(withOption(options, 'y', y ? [y] : []))}
          />
        )}
      </div>
      {!scatter && (
        <fieldset className="choices" aria-label="Y axis (metrics)">
          <span>Y axis (metrics){chosenY.length === 0 ? ': automatic, all of them' : ''}</span>
          <div className="row">
            {metrics.map((c) => (
              <label key={c.name} className="inline">
                <input
                  type="checkbox"
                  checked={chosenY.includes(c.name)}
                  onChange={(e) =>
                    onChange(
                      withOption(
                        options,
                        'y',
                        metrics
                          .map((m) => m.name)
                          .filter((name) => (name === c.name ? e.target.checked : chosenY.includes(name))),
                      ),
                    )
                  }
                />
                {columnLabel(c.name)}
              </label>
            ))}
          </div>
        </fieldset>
      )}
    </fieldset>
  );
}
