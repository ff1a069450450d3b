import type { ColumnType } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import { type Arithmetic, mapNames, parseFormula } from './formula.ts';
import { metricName, type QueryIr, type QueryMetric } from './ir.ts';
import type { Aggregation, Model, ModelMetric } from './model.ts';

/** A model field resolved to its table alias, physical column and type. */
export interface ColumnField {
  kind: 'column';
  address: string;
  table: string;
  column: string;
  type: ColumnType;
  nativeType?: string;
}

/** A calculated field of the query (`QueryIr.calculations`): a row-level expression over columns. */
export interface CalculatedField {
  kind: 'calculated';
  address: string;
  type: ColumnType;
  expression: RowExpression;
}

export type ResolvedField = ColumnField | CalculatedField;

/** A calculated field's formula with every name resolved, calculations referenced inlined. */
export type RowExpression = Arithmetic<{ kind: 'field'; field: ColumnField }>;

/** A metric as an expression tree over aggregates: formulas and model metrics fully expanded. */
export type MetricExpression = Arithmetic<{
  kind: 'aggregate';
  aggregation: Aggregation;
  field?: ResolvedField;
}>;

/** Resolves a field reference of a query: a model field or a calculated field. */
export type FieldResolver = (reference: string, path: string) => ResolvedField;

/** `table.field`, or a bare name that exactly one table of the model has. */
export function resolveField(model: Model, reference: string, path: string): ColumnField {
  const exact = model.dimensions.filter((d) => `${d.table}.${d.name}` === reference);
  const candidates = exact.length > 0 ? exact : model.dimensions.filter((d) => d.name === reference);
  if (candidates.length === 0) throw validationError(path, `unknown field ${JSON.stringify(reference)}`);
  if (candidates.length > 1) {
    const names = candidates.map((d) => `${d.table}.${d.name}`).join(', ');
    throw validationError(path, `field ${JSON.stringify(reference)} is ambiguous: use one of ${names}`);
  }
  const [dimension] = candidates;
  return {
    kind: 'column',
    address: `${dimension.table}.${dimension.name}`,
    table: dimension.table,
    column: dimension.column,
    type: dimension.type,
    ...(dimension.nativeType !== undefined && { nativeType: dimension.nativeType }),
  };
}

const numeric: ColumnType[] = ['integer', 'number'];
const orderable: ColumnType[] = ['string', 'integer', 'number', 'date', 'datetime', 'boolean'];

function aggregate(
  aggregation: Aggregation,
  field: ResolvedField | undefined,
  path: string,
): MetricExpression {
  const allowed =
    aggregation === 'sum' || aggregation === 'avg'
      ? numeric
      : aggregation.startsWith('count')
        ? null
        : orderable;
  if (field && allowed && !allowed.includes(field.type)) {
    throw validationError(
      path,
      `aggregation "${aggregation}" does not apply to the ${field.type} field ${field.address}`,
    );
  }
  if (!field && aggregation !== 'count')
    throw validationError(path, `aggregation "${aggregation}" needs a field`);
  return { kind: 'aggregate', aggregation, field };
}

/**
 * Resolves the metrics of a query, and any metric name used in a formula or a filter: first a
 * metric column of the query, then a model metric. Formulas expand recursively; a cycle is a 400.
 */
export function createMetricResolver(model: Model, ir: QueryIr, fields: FieldResolver) {
  const queryMetrics = new Map(
    ir.metrics.map((metric, i) => [metricName(metric), { metric, path: `metrics[${i}]` }]),
  );
  const expanding: string[] = [];

  const guard = <T>(key: string, path: string, expand: () => T): T => {
    if (expanding.includes(key))
      throw validationError(path, `metrics form a cycle: ${[...expanding, key].join(' → ')}`);
    expanding.push(key);
    try {
      return expand();
    } finally {
      expanding.pop();
    }
  };

  const modelMetric = (metric: ModelMetric, path: string): MetricExpression =>
    guard(`${metric.table}.${metric.name}`, path, () => {
      if (metric.formula !== undefined) {
        const tree = parseFormula(metric.formula, path);
        return mapNames(tree, (name) => modelMetric(findModelMetric(model, name, path, true), path));
      }
      if (!metric.aggregation)
        throw validationError(path, `model metric "${metric.name}" has no aggregation or formula`);
      const dimension = model.dimensions.find((d) => d.table === metric.table && d.column === metric.column);
      const field: ColumnField | undefined =
        metric.column === undefined
          ? undefined
          : {
              kind: 'column',
              address: `${metric.table}.${metric.column}`,
              table: metric.table,
              column: metric.column,
              type: dimension?.type ?? 'number',
            };
      return aggregate(metric.aggregation, field, path);
    });

  const queryMetric = (metric: QueryMetric, path: string): MetricExpression =>
    guard(metricName(metric), path, () => {
      if (metric.kind === 'model')
        return modelMetric(findModelMetric(model, metric.metric, `${path}.metric`, true), path);
      if (metric.kind === 'aggregate') {
        const field = metric.field === undefined ? undefined : fields(metric.field, `${path}.field`);
        return aggregate(metric.aggregation, field, path);
      }
      if (metric.kind === 'sql') throw validationError(`${path}.sql`, 'SQL metrics are not supported yet');
      const tree = parseFormula(metric.formula, `${path}.formula`);
      return mapNames(
        tree,
        (name) => byName(name, `${path}.formula`) ?? unknownMetric(name, `${path}.formula`),
      );
    });

  /** The metric called `name` (query column first, then model metric), or undefined. */
  const byName = (name: string, path: string): MetricExpression | undefined => {
    const own = queryMetrics.get(name);
    if (own) return queryMetric(own.metric, own.path);
    const metric = findModelMetric(model, name, path, false);
    return metric && modelMetric(metric, path);
  };

  return {
    metric: queryMetric,
    byName,
    /** True when a filter or sort on `name` targets a metric rather than a field. */
    isMetric: (name: string, path: string): boolean =>
      queryMetrics.has(name) || findModelMetric(model, name, path, false) !== undefined,
  };
}

function findModelMetric(model: Model, name: string, path: string, required: true): ModelMetric;
function findModelMetric(model: Model, name: string, path: string, required: false): ModelMetric | undefined;
function findModelMetric(
  model: Model,
  name: string,
  path: string,
  required: boolean,
): ModelMetric | undefined {
  const exact = model.metrics.filter((m) => `${m.table}.${m.name}` === name);
  const candidates = exact.length > 0 ? exact : model.metrics.filter((m) => m.name === name);
  if (candidates.length > 1) {
    const names = candidates.map((m) => `${m.table}.${m.name}`).join(', ');
    throw validationError(path, `metric ${JSON.stringify(name)} is ambiguous: use one of ${names}`);
  }
  if (candidates.length === 0 && required) unknownMetric(name, path);
  return candidates[0];
}

const unknownMetric = (name: string, path: string): never => {
  throw validationError(path, `unknown metric ${JSON.stringify(name)}`);
};
