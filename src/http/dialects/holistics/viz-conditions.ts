import type { Widget } from '../../../core/content/index.ts';
import { validationError } from '../../../core/errors.ts';
import { dimensionName, metricName, parseQueryBody } from '../../../core/query/index.ts';
import type { AlertCondition } from '../../../core/schedules/index.ts';
import { aggregationsOf } from './dataset-query.ts';
import type { HolisticsCondition } from './filter-conditions.ts';

/**
 * `VizCondition`s ↔ the core's alert conditions. A Holistics alert fires when any row of the
 * widget's result meets its condition: "some row above x" is "the largest value above x", so
 * `greater_than` is the core's `max >` and `less_than` its `min <`, which the warehouse computes
 * over the whole result. Equality and ranges over "some row" have no such reduction and are
 * refused. The field is one of the widget's result columns: its id, or the model field (with
 * the aggregation or the date truncation) the column shows.
 */

export interface VizConditionBody {
  field_path: { field_name?: string; model_id?: number | string | null; data_set_id?: number | null };
  aggregation?: string | null;
  transformation?: string | null;
  condition: HolisticsCondition;
}

const REDUCTIONS = {
  greater_than: { aggregation: 'max', operator: '>' },
  less_than: { aggregation: 'min', operator: '<' },
} as const;

const bare = (address: string) => address.slice(address.lastIndexOf('.') + 1);

/** The result column of a widget a condition's field names; errors name `<path>.field_path.field_name`. */
function columnOf(widget: Widget, condition: VizConditionBody, path: string): string {
  const name = condition.field_path.field_name;
  const field = `${path}.field_path.field_name`;
  if (!name) throw validationError(field, 'is required');
  const { ir } = parseQueryBody(widget.query);
  const dimensions = ir.dimensions.map((d) => ({
    name: dimensionName(d),
    field: d.field,
    granularity: d.granularity,
  }));
  const metrics = ir.metrics.map((m) => ({ name: metricName(m), metric: m }));
  const columns = [
    ...dimensions.map((d) => d.name),
    ...metrics.map((m) => m.name),
    ...(ir.post ?? []).map((p) => p.id),
  ];
  if (columns.includes(name)) return name;
  const aggregation = condition.aggregation ? aggregationsOf[condition.aggregation] : undefined;
  const granularity = condition.transformation?.replace(/^datetrunc /, '');
  const found = condition.aggregation
    ? metrics.find(
        ({ metric }) =>
          metric.kind === 'aggregate' &&
          metric.aggregation === aggregation &&
          (metric.field === undefined
            ? name === '*' || aggregation === 'count'
            : bare(metric.field) === name),
      )?.name
    : dimensions.find((d) => bare(d.field) === name && d.granularity === granularity)?.name;
  if (found) return found;
  throw validationError(field, `is no column of the widget's result (columns: ${columns.join(', ')})`);
}

/** `viz_conditions` as the core's conditions on the widget's result columns. */
export function alertConditionsOf(
  widget: Widget,
  conditions: readonly VizConditionBody[],
  path: string,
): AlertCondition[] {
  return conditions.map((condition, i) => {
    const at = `${path}[${i}]`;
    const { operator, values } = condition.condition;
    const reduction = REDUCTIONS[operator as keyof typeof REDUCTIONS];
    if (!reduction)
      throw validationError(
        `${at}.condition.operator`,
        'a data alert here fires on "greater_than" or "less_than" (some row above or below a value)',
      );
    const [value] = values;
    if (values.length !== 1 || (typeof value !== 'number' && typeof value !== 'string'))
      throw validationError(`${at}.condition.values`, `"${operator}" takes one number or date`);
    return { field: columnOf(widget, condition, at), ...reduction, values: [value] };
  });
}

/**
 * The core's conditions as `VizCondition`s (the field named by its result column), or null when
 * one is not "some row above / below" and Holistics has no way to say it.
 */
export function vizConditionsOf(conditions: readonly AlertCondition[]) {
  const shown = conditions.map((condition) => {
    const entry = Object.entries(REDUCTIONS).find(
      ([, r]) => r.aggregation === condition.aggregation && r.operator === condition.operator,
    );
    if (!entry) return null;
    return {
      field_path: { field_name: condition.field, model_id: null, data_set_id: null, is_metric: null },
      aggregation: null,
      transformation: null,
      condition: { operator: entry[0], modifier: null, values: condition.values as Array<string | number> },
    };
  });
  return shown.every((condition) => condition !== null) ? shown : null;
}
