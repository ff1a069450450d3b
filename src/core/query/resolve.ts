import type { ColumnType } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import { type DialectCapabilities, requireCapability, type SqlDialect } from './dialects.ts';
import { type Arithmetic, mapNames, parseFormula } from './formula.ts';
import { type FilterNode, metricName, type QueryIr, type QueryMetric } from './ir.ts';
import type { Aggregation, Model, ModelMetric } from './model.ts';
import { modelSqlScope, parseSqlExpression, querySqlScope, type SqlTemplate } from './sql-expression.ts';
import type { Condition } from './validate.ts';

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

/** A developer's SQL expression: a model dimension's `sql`, or a query's SQL calculation. */
export interface SqlField {
  kind: 'sql';
  address: string;
  type: ColumnType;
  sql: SqlTemplate;
}

/** A field the model or the query defines as such, usable wherever a column is. */
export type ModelField = ColumnField | SqlField;

export type ResolvedField = ModelField | CalculatedField;

/** A calculated field's formula with every name resolved, calculations referenced inlined. */
export type RowExpression = Arithmetic<{ kind: 'field'; field: ModelField }>;

/** One aggregate of a metric. */
export interface AggregateLeaf {
  kind: 'aggregate';
  aggregation: Aggregation;
  /** Absent only for a count of rows. */
  field?: ResolvedField;
  /** The fraction of a `percentile`, checked to be from 0 to 1 (SQL gets it as a literal). */
  percentile?: number;
  /** A filtered metric's own filter (rules on fields only): other rows are not aggregated. */
  filter?: Condition;
}

/** A developer's SQL aggregate expression: a model metric's `sql`, or a query's SQL metric. */
export interface SqlMetricLeaf {
  kind: 'sql';
  sql: SqlTemplate;
  type: 'number' | 'integer';
}

/** A metric as an expression tree over aggregates: formulas and model metrics fully expanded. */
export type MetricExpression = Arithmetic<AggregateLeaf | SqlMetricLeaf>;

/** Resolves a field reference of a query: a model field or a calculated field. */
export type FieldResolver = (reference: string, path: string) => ResolvedField;

/**
 * `table.field`, or a bare name that exactly one table of the model has. Fields hidden from the
 * caller (required attributes) are unknown to a query, but not to the row policies (`hidden`).
 */
export function resolveField(model: Model, reference: string, path: string, hidden = false): ModelField {
  const closed = new Set(hidden ? [] : model.hidden?.dimensions);
  const addressable = model.dimensions.filter((d) => !closed.has(`${d.table}.${d.name}`));
  const exact = addressable.filter((d) => `${d.table}.${d.name}` === reference);
  const candidates = exact.length > 0 ? exact : addressable.filter((d) => d.name === reference);
  if (candidates.length === 0)
    throw validationError(path, `unknown field ${JSON.stringify(reference)}`, 'query.unknown_field');
  if (candidates.length > 1) {
    const names = candidates.map((d) => `${d.table}.${d.name}`).join(', ');
    throw validationError(path, `field ${JSON.stringify(reference)} is ambiguous: use one of ${names}`);
  }
  const [dimension] = candidates;
  const address = `${dimension.table}.${dimension.name}`;
  if (dimension.sql !== undefined) {
    const scope = modelSqlScope(model, dimension.table);
    const sql = parseSqlExpression(dimension.sql, scope, `model.dimensions.${address}.sql`);
    return { kind: 'sql', address, type: dimension.type, sql };
  }
  if (dimension.column === undefined)
    throw validationError(path, `field ${address} of the model has neither a column nor SQL`);
  return {
    kind: 'column',
    address,
    table: dimension.table,
    column: dimension.column,
    type: dimension.type,
    ...(dimension.nativeType !== undefined && { nativeType: dimension.nativeType }),
  };
}

const numeric: ColumnType[] = ['integer', 'number'];
const orderable: ColumnType[] = ['string', 'integer', 'number', 'date', 'datetime', 'boolean'];

/** The field types each aggregation takes (any, for the counts). */
const fieldTypes: Record<Aggregation, ColumnType[] | null> = {
  sum: numeric,
  avg: numeric,
  median: numeric,
  percentile: numeric,
  stddev: numeric,
  variance: numeric,
  min: orderable,
  max: orderable,
  count: null,
  count_distinct: null,
};

/** Aggregations some engines lack, and the capability they need. */
const needs: Partial<Record<Aggregation, keyof DialectCapabilities>> = {
  median: 'median',
  percentile: 'percentile',
};

/** What an aggregate carries besides its aggregation and field. */
interface AggregateOptions {
  percentile?: number;
  filter?: Condition;
}

function aggregate(
  aggregation: Aggregation,
  field: ResolvedField | undefined,
  path: string,
  dialect: SqlDialect,
  { percentile, filter }: AggregateOptions,
): MetricExpression {
  const allowed = fieldTypes[aggregation];
  if (field && allowed && !allowed.includes(field.type)) {
    throw validationError(
      path,
      `aggregation "${aggregation}" does not apply to the ${field.type} field ${field.address}`,
    );
  }
  if (!field && aggregation !== 'count')
    throw validationError(path, `aggregation "${aggregation}" needs a field`);
  const capability = needs[aggregation];
  if (capability) requireCapability(dialect, capability, path, `aggregation "${aggregation}"`);
  // Checked here, not only by the native parser: other faces build the IR themselves, and the
  // fraction reaches the SQL as a literal.
  if (aggregation === 'percentile') {
    if (typeof percentile !== 'number' || !(percentile >= 0 && percentile <= 1))
      throw validationError(`${path}.percentile`, `expected a number from 0 to 1, got ${percentile}`);
  } else if (percentile !== undefined) {
    throw validationError(`${path}.percentile`, 'only with the "percentile" aggregation');
  }
  return {
    kind: 'aggregate',
    aggregation,
    field,
    ...(percentile !== undefined && { percentile }),
    ...(filter && { filter }),
  };
}

export interface MetricResolverOptions {
  /** The engine the query runs on: an aggregation it lacks is a 400. */
  dialect: SqlDialect;
  /** Resolves a metric's own filter to a row condition (a rule naming a metric is a 400). */
  rowFilter: (node: FilterNode, path: string) => Condition | undefined;
}

export type MetricResolver = ReturnType<typeof createMetricResolver>;

/**
 * Resolves the metrics of a query, and any metric name used in a formula or a filter: first a
 * metric column of the query, then a model metric. Formulas expand recursively; a cycle is a 400.
 */
export function createMetricResolver(
  model: Model,
  ir: QueryIr,
  fields: FieldResolver,
  { dialect, rowFilter }: MetricResolverOptions,
) {
  const queryMetrics = new Map(
    ir.metrics.map((metric, i) => [metricName(metric), { metric, path: `metrics[${i}]` }]),
  );
  // A query metric and a model metric may share a name (`{metric: "orders.revenue"}` is output
  // as "orders.revenue"), so each kind is tracked apart: only a repeat within a kind is a cycle.
  const expanding: { kind: 'query' | 'model'; name: string }[] = [];

  const guard = <T>(kind: 'query' | 'model', name: string, path: string, expand: () => T): T => {
    if (expanding.some((entry) => entry.kind === kind && entry.name === name)) {
      const chain = [...expanding.map((entry) => entry.name), name].join(' → ');
      throw validationError(path, `metrics form a cycle: ${chain}`);
    }
    expanding.push({ kind, name });
    try {
      return expand();
    } finally {
      expanding.pop();
    }
  };

  /** A model metric; a query's filter on it applies to every aggregate a formula metric uses. */
  const modelMetric = (metric: ModelMetric, path: string, filter?: Condition): MetricExpression =>
    guard('model', `${metric.table}.${metric.name}`, path, () => {
      if (metric.formula !== undefined) {
        const tree = parseFormula(metric.formula, path);
        return mapNames(tree, (name) => modelMetric(findModelMetric(model, name, path, true), path, filter));
      }
      if (metric.sql !== undefined) {
        // The filter would have to go inside the developer's SQL, which stays as written.
        if (filter)
          throw validationError(
            `${path}.filters`,
            `the model metric "${metric.name}" is SQL: filter inside its SQL (CASE WHEN …) instead`,
          );
        const scope = modelSqlScope(model, metric.table);
        const sql = parseSqlExpression(metric.sql, scope, `model.metrics.${metric.table}.${metric.name}.sql`);
        return { kind: 'sql', sql, type: metric.type ?? 'number' };
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
      return aggregate(metric.aggregation, field, path, dialect, { percentile: metric.percentile, filter });
    });

  const queryMetric = (metric: QueryMetric, path: string): MetricExpression =>
    guard('query', metricName(metric), path, () => {
      const filter =
        'filters' in metric && metric.filters ? rowFilter(metric.filters, `${path}.filters`) : undefined;
      if (metric.kind === 'model')
        return modelMetric(findModelMetric(model, metric.metric, `${path}.metric`, true), path, filter);
      if (metric.kind === 'aggregate') {
        const field = metric.field === undefined ? undefined : fields(metric.field, `${path}.field`);
        return aggregate(metric.aggregation, field, path, dialect, { percentile: metric.percentile, filter });
      }
      if (metric.kind === 'sql') {
        const sql = parseSqlExpression(metric.sql, querySqlScope(model), `${path}.sql`);
        return { kind: 'sql', sql, type: metric.type ?? 'number' };
      }
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
  const closed = new Set(model.hidden?.metrics);
  const addressable = model.metrics.filter((m) => !closed.has(`${m.table}.${m.name}`));
  const exact = addressable.filter((m) => `${m.table}.${m.name}` === name);
  const candidates = exact.length > 0 ? exact : addressable.filter((m) => m.name === name);
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
