import type { SourceFormula } from '../../../core/data/index.ts';
import { validationError } from '../../../core/errors.ts';
import type {
  FilterRule,
  Granularity,
  Operator,
  QueryDimension,
  QueryIr,
  QueryMetric,
  QuerySort,
} from '../../../core/query/index.ts';
import { granularities } from '../../../core/query/index.ts';
import type { ColumnInfo, JsonScalar } from '../../../engines/types.ts';
import { formulaMetrics } from './formulas.ts';

/**
 * A one-stage Serenytics `data_processing_pipeline` → the core query IR. Every output column is
 * aliased `c<i>` so the answer maps back to the names the caller asked for, in its order.
 */
export const SERENYTICS_MAX_ROWS = 20_000;

export interface Stage {
  group_by?: (string | { name: string; timeslot?: string })[];
  select?: (string | { name: string; agg_function?: string; timeslot?: string; measureUuid?: string })[];
  where?: { name: string; op: string; value?: unknown }[];
  order_by?: (string | { name: string; agg_function?: string; direction?: string; measureUuid?: string })[];
  limit?: number;
}

export interface Planned {
  ir: QueryIr;
  /** The caller's name of each output column, in output order (= aliases c0, c1, …). */
  labels: string[];
}

const COUNT = '$$count$$';
const aggregationOf: Record<string, 'sum' | 'min' | 'max' | 'avg' | 'count' | 'count_distinct'> = {
  sum: 'sum',
  min: 'min',
  max: 'max',
  avg: 'avg',
  count: 'count',
  dcount: 'count_distinct',
};

const operatorOf: Record<string, Operator> = {
  '<': '<',
  '>': '>',
  '<=': '<=',
  '>=': '>=',
  '==': '=',
  '=': '=',
  '!=': '!=',
  in: 'in',
  '!in': 'not in',
  is_defined: 'not null',
  is_not_defined: 'null',
  is_empty: 'empty',
  is_not_empty: 'not empty',
};

interface Output {
  label: string;
  agg?: string;
  dimension?: QueryDimension;
  /** The output metric, last, after the hidden aggregates a formula uses. */
  metrics?: QueryMetric[];
  measureUuid?: string;
}

export function planPipeline(
  pipeline: unknown,
  columns: ColumnInfo[],
  formulas: SourceFormula[] = [],
): Planned {
  if (pipeline !== undefined && (!Array.isArray(pipeline) || pipeline.length > 1))
    throw validationError('data_processing_pipeline', 'must be a list with a single stage');
  const stage: Stage = (pipeline as Stage[] | undefined)?.[0] ?? {};
  // Names resolve exactly, else case-insensitively: storage columns are kept in lower case.
  const field = (name: unknown, path: string): string => {
    if (typeof name !== 'string') throw validationError(path, 'must be a column name');
    const column =
      columns.find((c) => c.name === name) ??
      columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (!column) throw validationError(path, `unknown column "${name}"`);
    return column.name;
  };
  const timeslot = (value: unknown, path: string): Granularity | undefined => {
    if (value === undefined || value === null) return undefined;
    if (!granularities.includes(value as Granularity))
      throw validationError(path, `must be one of ${granularities.join(', ')}`);
    return value as Granularity;
  };

  const groups = (stage.group_by ?? []).map((entry, i) => {
    const item = typeof entry === 'string' ? { name: entry } : entry;
    const path = `data_processing_pipeline[0].group_by[${i}]`;
    return {
      label: item.name,
      field: field(item.name, `${path}.name`),
      granularity: timeslot(item.timeslot, `${path}.timeslot`),
    };
  });
  const selects = (stage.select ?? []).map((entry) => (typeof entry === 'string' ? { name: entry } : entry));
  const aggregate =
    groups.length > 0 ||
    selects.some((item) => item.agg_function !== undefined || item.measureUuid !== undefined);

  const outputs: Output[] = [];
  const dimensionOf = (label: string, f: string, granularity?: Granularity): Output => ({
    label,
    dimension: { field: f, ...(granularity && { granularity }) },
  });
  for (const group of groups) {
    if (!selects.some((item) => item.name === group.label && item.agg_function === undefined))
      outputs.push(dimensionOf(group.label, group.field, group.granularity));
  }
  selects.forEach((item, i) => {
    const path = `data_processing_pipeline[0].select[${i}]`;
    if (item.measureUuid !== undefined) {
      // A formula saved in the source's `jsonContent.measures`; `name` only labels the output.
      const formula = formulas.find((f) => f.id === item.measureUuid);
      if (!formula) throw validationError(`${path}.measureUuid`, `unknown formula "${item.measureUuid}"`);
      if (typeof item.name !== 'string' || item.name === '')
        throw validationError(`${path}.name`, 'is required with measureUuid');
      const alias = `c${outputs.length}`;
      const metrics = formulaMetrics(
        formula.expression,
        alias,
        (name) => field(name, `${path}.measureUuid`),
        `${path}.measureUuid`,
      );
      outputs.push({ label: item.name, metrics, measureUuid: formula.id });
      return;
    }
    if (item.agg_function === undefined) {
      const group = groups.find((g) => g.label === item.name);
      const granularity = timeslot(item.timeslot, `${path}.timeslot`) ?? group?.granularity;
      outputs.push(dimensionOf(item.name, field(item.name, `${path}.name`), granularity));
      return;
    }
    const aggregation = aggregationOf[item.agg_function];
    if (!aggregation)
      throw validationError(
        `${path}.agg_function`,
        `must be one of ${Object.keys(aggregationOf).join(', ')}`,
      );
    const metric: QueryMetric =
      item.name === COUNT
        ? { kind: 'aggregate', aggregation: 'count', alias: `c${outputs.length}` }
        : {
            kind: 'aggregate',
            aggregation,
            field: field(item.name, `${path}.name`),
            alias: `c${outputs.length}`,
          };
    outputs.push({ label: item.name, agg: item.agg_function, metrics: [metric] });
  });
  if (!aggregate && outputs.length === 0) {
    for (const column of columns) outputs.push(dimensionOf(column.name, column.name));
  }

  const dimensions: QueryDimension[] = [];
  const metrics: QueryMetric[] = [];
  outputs.forEach((output, i) => {
    if (output.dimension) dimensions.push({ ...output.dimension, alias: `c${i}` });
    else if (output.metrics) metrics.push(...output.metrics);
  });

  const rules: FilterRule[] = (stage.where ?? []).map((condition, i) => {
    const path = `data_processing_pipeline[0].where[${i}]`;
    const operator = operatorOf[condition.op];
    if (!operator)
      throw validationError(`${path}.op`, `must be one of ${Object.keys(operatorOf).join(', ')}`);
    return {
      field: field(condition.name, `${path}.name`),
      operator,
      values: valuesOf(operator, condition.value, `${path}.value`),
    };
  });

  const sorts: QuerySort[] = (stage.order_by ?? []).map((entry, i) => {
    const item = typeof entry === 'string' ? { name: entry } : entry;
    const path = `data_processing_pipeline[0].order_by[${i}]`;
    const uuid = item.measureUuid;
    const index = outputs.findIndex((o) =>
      uuid !== undefined ? o.measureUuid === uuid : o.label === item.name && o.agg === item.agg_function,
    );
    if (index < 0 && aggregate)
      throw validationError(path, 'must name a selected column (with the same agg_function as in select)');
    return {
      field: index >= 0 ? `c${index}` : field(item.name, `${path}.name`),
      descending: String(item.direction ?? 'asc').toLowerCase() === 'desc',
    };
  });

  if (stage.limit !== undefined && (!Number.isInteger(stage.limit) || stage.limit < 0))
    throw validationError('data_processing_pipeline[0].limit', 'must be a non-negative integer');
  return {
    ir: {
      dimensions,
      metrics,
      ...(rules.length > 0 && { filters: { and: rules } }),
      sorts,
      limit: Math.min(stage.limit ?? SERENYTICS_MAX_ROWS, SERENYTICS_MAX_ROWS),
      offset: 0,
      aggregate,
    },
    labels: outputs.map((output) => output.label),
  };
}

/** `in` and `!in` take a JSON list written as a string (`'["Q1","Q2"]'`); the rest one value. */
function valuesOf(operator: Operator, value: unknown, path: string): JsonScalar[] {
  if (operator === 'null' || operator === 'not null' || operator === 'empty' || operator === 'not empty')
    return [];
  if (operator === 'in' || operator === 'not in') {
    let list = value;
    if (typeof value === 'string') {
      try {
        list = JSON.parse(value);
      } catch {
        throw validationError(path, 'must be a JSON list in a string, e.g. \'["Q1","Q2"]\'');
      }
    }
    if (!Array.isArray(list)) throw validationError(path, 'must be a JSON list');
    return list as JsonScalar[];
  }
  if (value === undefined) throw validationError(path, 'is required');
  return [value as JsonScalar];
}
