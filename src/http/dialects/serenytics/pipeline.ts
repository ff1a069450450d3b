import type { SourceFormula } from '../../../core/data/index.ts';
import { validationError } from '../../../core/errors.ts';
import type {
  Aggregation,
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
import { aggregationOf, createFormulaPlanner } from './formulas.ts';

export interface Stage {
  group_by?: (string | { name: string; timeslot?: string; measureUuid?: string })[];
  select?: (string | { name: string; agg_function?: string; timeslot?: string; measureUuid?: string })[];
  where?: { name: string; op: string; value?: unknown; measureUuid?: string }[];
  order_by?: (string | { name: string; agg_function?: string; direction?: string; measureUuid?: string })[];
  limit?: number;
}

export interface Planned {
  ir: QueryIr;
  /** The caller's name of each output column, in output order (= aliases c0, c1, …). */
  labels: string[];
}

const COUNT = '$$count$$';
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

/**
 * A one-stage Serenytics `data_processing_pipeline` → the core query IR. Every output column is
 * aliased `c<i>` so the answer maps back to the names the caller asked for, in its order.
 * `maxRows` caps the answer (config `faces.serenytics.maxRows`); a larger `limit` is lowered to it.
 */
export function planPipeline(
  pipeline: unknown,
  columns: ColumnInfo[],
  formulas: SourceFormula[],
  maxRows: number,
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
  // Formulas named by `measureUuid`, in any clause (the vendor doc: select, group_by, where).
  const planner = createFormulaPlanner(
    formulas,
    field,
    columns.map((c) => c.name),
  );

  const hasColumn = (name: string) =>
    name === COUNT || columns.some((c) => c.name.toLowerCase() === name.toLowerCase());
  // An item may name a formula instead of giving its measureUuid. A real column of that name
  // wins: pipelines written before the formula was added must keep meaning the same column.
  const resolved = <T extends { name?: unknown; measureUuid?: string }>(entry: string | T, path: string) => {
    const item = (typeof entry === 'string' ? { name: entry } : entry) as T;
    if (item.measureUuid !== undefined || typeof item.name !== 'string' || hasColumn(item.name)) return item;
    const measureUuid = planner.idNamed(item.name, `${path}.name`);
    return measureUuid === undefined ? item : { ...item, measureUuid };
  };

  const groups = (stage.group_by ?? []).map((entry, i) => {
    const path = `data_processing_pipeline[0].group_by[${i}]`;
    const item = resolved(entry, path);
    if (item.measureUuid !== undefined) {
      const formula = planner.find(item.measureUuid, `${path}.measureUuid`);
      const label = item.name ?? formula.id;
      return { label, field: formula.field('grouped by'), granularity: undefined, measureUuid: formula.id };
    }
    return {
      label: item.name,
      field: field(item.name, `${path}.name`),
      granularity: timeslot(item.timeslot, `${path}.timeslot`),
      measureUuid: undefined,
    };
  });
  const selects = (stage.select ?? []).map((entry, i) =>
    resolved(entry, `data_processing_pipeline[0].select[${i}]`),
  );

  // A formula that aggregates filters groups (HAVING): the query must aggregate.
  const having: QueryMetric[] = [];
  const rules: FilterRule[] = (stage.where ?? []).map((entry, i) => {
    const path = `data_processing_pipeline[0].where[${i}]`;
    const condition = resolved(entry, path);
    const operator = operatorOf[condition.op];
    if (!operator)
      throw validationError(`${path}.op`, `must be one of ${Object.keys(operatorOf).join(', ')}`);
    const values = valuesOf(operator, condition.value, `${path}.value`);
    if (condition.measureUuid === undefined)
      return { field: field(condition.name, `${path}.name`), operator, values };
    const formula = planner.find(condition.measureUuid, `${path}.measureUuid`);
    if (formula.rowLevel) return { field: formula.field('filtered'), operator, values };
    having.push(...formula.metrics(`w${i}`));
    return { field: `w${i}`, operator, values };
  });

  const aggregate =
    groups.length > 0 ||
    having.length > 0 ||
    selects.some((item) => item.agg_function !== undefined || item.measureUuid !== undefined);

  const outputs: Output[] = [];
  const dimensionOf = (label: string, f: string, granularity?: Granularity): Output => ({
    label,
    dimension: { field: f, ...(granularity && { granularity }) },
  });
  // A select item without agg_function naming a grouped column or formula is that group's output.
  const isGroup = (group: (typeof groups)[number], item: (typeof selects)[number]): boolean =>
    item.agg_function === undefined &&
    (group.measureUuid === undefined
      ? item.measureUuid === undefined && item.name === group.label
      : item.measureUuid === group.measureUuid);
  for (const group of groups) {
    if (!selects.some((item) => isGroup(group, item)))
      outputs.push({
        ...dimensionOf(group.label, group.field, group.granularity),
        measureUuid: group.measureUuid,
      });
  }
  selects.forEach((item, i) => {
    const path = `data_processing_pipeline[0].select[${i}]`;
    if (item.measureUuid !== undefined) {
      // A formula saved in the source's `jsonContent.measures`; `name` only labels the output.
      const formula = planner.find(item.measureUuid, `${path}.measureUuid`);
      if (typeof item.name !== 'string' || item.name === '')
        throw validationError(`${path}.name`, 'is required with measureUuid');
      const alias = `c${outputs.length}`;
      const group = groups.find((g) => isGroup(g, item));
      if (group) outputs.push({ ...dimensionOf(item.name, group.field), measureUuid: formula.id });
      else if (!formula.rowLevel)
        outputs.push({ label: item.name, metrics: formula.metrics(alias), measureUuid: formula.id });
      else {
        // A row-level formula is aggregated over its row values, by default summed.
        const aggregation = aggregationFrom(item.agg_function ?? 'sum', `${path}.agg_function`);
        const metric: QueryMetric = {
          kind: 'aggregate',
          aggregation,
          field: formula.field('aggregated'),
          alias,
        };
        outputs.push({ label: item.name, metrics: [metric], measureUuid: formula.id });
      }
      return;
    }
    if (item.agg_function === undefined) {
      const group = groups.find((g) => g.label === item.name);
      const granularity = timeslot(item.timeslot, `${path}.timeslot`) ?? group?.granularity;
      outputs.push(dimensionOf(item.name, field(item.name, `${path}.name`), granularity));
      return;
    }
    const aggregation = aggregationFrom(item.agg_function, `${path}.agg_function`);
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
  metrics.push(...having);

  const sorts: QuerySort[] = (stage.order_by ?? []).map((entry, i) => {
    const path = `data_processing_pipeline[0].order_by[${i}]`;
    const item = resolved(entry, path);
    const uuid = item.measureUuid;
    const index = outputs.findIndex((o) =>
      uuid !== undefined ? o.measureUuid === uuid : o.label === item.name && o.agg === item.agg_function,
    );
    if (index < 0 && aggregate)
      throw validationError(path, 'must name a selected column (with the same agg_function as in select)');
    const unselected = () =>
      uuid === undefined
        ? field(item.name, `${path}.name`)
        : planner.find(uuid, `${path}.measureUuid`).field('sorted by unless selected');
    return {
      field: index >= 0 ? `c${index}` : unselected(),
      descending: String(item.direction ?? 'asc').toLowerCase() === 'desc',
    };
  });

  if (stage.limit !== undefined && (!Number.isInteger(stage.limit) || stage.limit < 0))
    throw validationError('data_processing_pipeline[0].limit', 'must be a non-negative integer');
  return {
    ir: {
      ...(planner.calculations().length > 0 && { calculations: planner.calculations() }),
      dimensions,
      metrics,
      ...(rules.length > 0 && { filters: { and: rules } }),
      sorts,
      limit: Math.min(stage.limit ?? maxRows, maxRows),
      offset: 0,
      aggregate,
    },
    labels: outputs.map((output) => output.label),
  };
}

function aggregationFrom(name: string, path: string): Aggregation {
  const aggregation = aggregationOf[name];
  if (!aggregation) throw validationError(path, `must be one of ${Object.keys(aggregationOf).join(', ')}`);
  return aggregation;
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
