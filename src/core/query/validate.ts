import type { JsonScalar } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import { describeValue, hasNul, integerBoundsOf, NUL_PROBLEM } from '../storable.ts';
import { createFieldResolver } from './calculations.ts';
import {
  dimensionName,
  type FilterNode,
  type Granularity,
  metricName,
  type Operator,
  type QueryIr,
} from './ir.ts';
import type { Model } from './model.ts';
import {
  createMetricResolver,
  type FieldResolver,
  type MetricExpression,
  type ResolvedField,
  resolveField,
} from './resolve.ts';
import { checkOperator, convertValue, parseRelative, type RelativeSpec } from './values.ts';

/** A query whose every name is resolved against the model and every value converted: ready to render. */
export interface ResolvedQuery {
  dimensions: ResolvedDimension[];
  metrics: Array<{ name: string; expression: MetricExpression }>;
  where?: Condition;
  having?: Condition;
  sorts: Array<{ target: SortTarget; descending: boolean }>;
  limit?: number;
  offset: number;
  aggregate: boolean;
}

export interface ResolvedDimension {
  name: string;
  field: ResolvedField;
  granularity?: Granularity;
}

export type SortTarget = { kind: 'column'; name: string } | { kind: 'field'; field: ResolvedField };

export type ConditionTarget =
  | { kind: 'field'; field: ResolvedField }
  | { kind: 'metric'; expression: MetricExpression };

export type Condition =
  | { kind: 'and' | 'or'; children: Condition[] }
  /** Matches no row: a row policy the principal has no values for. */
  | { kind: 'never' }
  | {
      kind: 'rule';
      target: ConditionTarget;
      operator: Operator;
      values: JsonScalar[];
      relative?: RelativeSpec;
    };

/** A filter tree split into its WHERE part (fields) and HAVING part (metrics). */
type Split = { where?: Condition; having?: Condition };

type Metrics = ReturnType<typeof createMetricResolver>;

export function validateQuery(model: Model, ir: QueryIr, options: { maxRows: number }): ResolvedQuery {
  // Every face maps its own paging onto these; a count the SQL cannot take is a 400 here.
  for (const [field, count] of [
    ['limit', ir.limit],
    ['offset', ir.offset],
  ] as const) {
    if (count !== undefined && (!Number.isSafeInteger(count) || count < 0))
      throw validationError(field, `expected a non-negative integer, got ${count}`);
  }
  checkOutputNames(ir);
  if (ir.limit !== undefined && ir.limit > options.maxRows) {
    throw validationError('limit', `at most ${options.maxRows} rows, got ${ir.limit}`);
  }
  if (!ir.aggregate && ir.metrics.length > 0)
    throw validationError('metrics', 'not allowed when "aggregate" is false');
  if (ir.aggregate && ir.dimensions.length === 0 && ir.metrics.length === 0) {
    throw validationError('dimensions', 'a query needs at least one dimension or metric');
  }
  const fields = createFieldResolver(model, ir.calculations);
  const metrics = createMetricResolver(model, ir, fields);
  const dimensions =
    ir.aggregate || ir.dimensions.length > 0
      ? resolveDimensions(ir, fields)
      : allDimensions(model, ir, fields);
  const resolvedMetrics = ir.metrics.map((metric, i) => ({
    name: metricName(metric),
    expression: metrics.metric(metric, `metrics[${i}]`),
  }));
  checkUniqueNames(
    [...dimensions.map((d) => d.name), ...resolvedMetrics.map((m) => m.name)],
    ir.dimensions.length,
  );
  const split = ir.filters ? resolveFilter(ir.filters, 'filters', fields, metrics) : {};
  if (split.having && !ir.aggregate)
    throw validationError('filters', 'metric filters need "aggregate": true');
  const query: ResolvedQuery = {
    dimensions,
    metrics: resolvedMetrics,
    ...split,
    sorts: [],
    limit: ir.limit,
    offset: ir.offset,
    aggregate: ir.aggregate,
  };
  query.sorts = ir.sorts.map((sort, i) => ({
    target: resolveSort(query, fields, sort.field, `sorts[${i}].field`),
    descending: sort.descending,
  }));
  return query;
}

function resolveDimensions(ir: QueryIr, fields: FieldResolver): ResolvedDimension[] {
  return ir.dimensions.map((dimension, i) => {
    const field = fields(dimension.field, `dimensions[${i}].field`);
    if (dimension.granularity) {
      const fits =
        field.type === 'datetime' ||
        (field.type === 'date' && !['hour', 'minute'].includes(dimension.granularity));
      if (!fits) {
        throw validationError(
          `dimensions[${i}].granularity`,
          `"${dimension.granularity}" does not apply to the ${field.type} field ${field.address}`,
        );
      }
    }
    return { name: dimensionName(dimension), field, granularity: dimension.granularity };
  });
}

/**
 * Raw rows without dimensions select every field, then the calculated ones; a name shared by two
 * tables is qualified.
 */
function allDimensions(model: Model, ir: QueryIr, fields: FieldResolver): ResolvedDimension[] {
  const modelFields = model.dimensions.map((d) => {
    const shared = model.dimensions.some((other) => other !== d && other.name === d.name);
    const field = resolveField(model, `${d.table}.${d.name}`, 'dimensions');
    return { name: shared ? field.address : d.name, field };
  });
  const calculated = (ir.calculations ?? []).map(({ name }, i) => ({
    name,
    field: fields(name, `calculations[${i}]`),
  }));
  return [...modelFields, ...calculated];
}

/** Names a query gives its result columns become SQL aliases: NUL would cut the statement short. */
function checkOutputNames(ir: QueryIr): void {
  ir.dimensions.forEach((dimension, i) => {
    if (dimension.alias !== undefined && hasNul(dimension.alias))
      throw validationError(`dimensions[${i}].alias`, NUL_PROBLEM);
  });
  ir.metrics.forEach((metric, i) => {
    const [key, name] =
      metric.kind === 'formula' || metric.kind === 'sql' ? ['name', metric.name] : ['alias', metric.alias];
    if (name !== undefined && hasNul(name)) throw validationError(`metrics[${i}].${key}`, NUL_PROBLEM);
  });
}

function checkUniqueNames(names: string[], dimensionCount: number): void {
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) {
      const path = i < dimensionCount ? `dimensions[${i}]` : `metrics[${i - dimensionCount}]`;
      throw validationError(path, `result column ${JSON.stringify(name)} appears twice; give one an alias`);
    }
  });
}

function resolveFilter(node: FilterNode, path: string, fields: FieldResolver, metrics: Metrics): Split {
  if ('and' in node || 'or' in node) {
    const kind = 'and' in node ? 'and' : 'or';
    const parts = ('and' in node ? node.and : node.or).map((child, i) =>
      resolveFilter(child, `${path}.${kind}[${i}]`, fields, metrics),
    );
    if (kind === 'or' && parts.some((p) => p.where) && parts.some((p) => p.having)) {
      throw validationError(path, '"or" cannot mix field rules (WHERE) and metric rules (HAVING)');
    }
    return {
      where: combine(
        kind,
        parts.map((p) => p.where),
      ),
      having: combine(
        kind,
        parts.map((p) => p.having),
      ),
    };
  }
  if ('not' in node) throw validationError(`${path}.not`, '"not" is not supported yet');
  if (metrics.isMetric(node.field, `${path}.field`)) {
    const expression = metrics.byName(node.field, `${path}.field`)!;
    return { having: rule({ kind: 'metric', expression }, 'number', node.operator, node.values, path) };
  }
  const field = fields(node.field, `${path}.field`);
  return { where: rule({ kind: 'field', field }, field.type, node.operator, node.values, path) };
}

function rule(
  target: ConditionTarget,
  type: ResolvedField['type'],
  operator: Operator,
  values: JsonScalar[],
  path: string,
): Condition {
  checkOperator(operator, type, values, path);
  if (operator === 'relative')
    return { kind: 'rule', target, operator, values: [], relative: parseRelative(values, type, path) };
  const converted = values.map((value, i) => convertValue(value, type, `${path}.values[${i}]`));
  checkIntegerWidth(target, converted, path);
  return { kind: 'rule', target, operator, values: converted };
}

/** Integer values a narrow column (`smallint`, `INTEGER`) cannot hold are a 400, not a warehouse error. */
function checkIntegerWidth(target: ConditionTarget, values: readonly JsonScalar[], path: string): void {
  if (target.kind !== 'field' || target.field.kind !== 'column' || target.field.type !== 'integer') return;
  const nativeType = target.field.nativeType;
  const bounds = nativeType === undefined ? undefined : integerBoundsOf(nativeType);
  if (!bounds) return;
  values.forEach((value, i) => {
    if (typeof value === 'number' && (value < bounds.min || value > bounds.max)) {
      throw validationError(
        `${path}.values[${i}]`,
        `out of range for ${nativeType} (from ${bounds.min} to ${bounds.max}), got ${describeValue(value)}`,
      );
    }
  });
}

/** Empty groups (what UIs send when no rule is set) add no condition. */
function combine(kind: 'and' | 'or', parts: Array<Condition | undefined>): Condition | undefined {
  const children = parts.filter((part): part is Condition => part !== undefined);
  if (children.length <= 1) return children[0];
  return { kind, children };
}

function resolveSort(
  query: ResolvedQuery,
  fields: FieldResolver,
  reference: string,
  path: string,
): SortTarget {
  const columns = [...query.dimensions.map((d) => d.name), ...query.metrics.map((m) => m.name)];
  if (columns.includes(reference)) return { kind: 'column', name: reference };
  const field = fields(reference, path);
  if (!query.aggregate) return { kind: 'field', field };
  // A bare field name sorts by the one output column computed from that field, so clients may
  // write `{"field":"quantity"}` for `sum_quantity` or `"date"` for `date_month`.
  const fromField = [
    ...query.dimensions.filter((d) => d.field.address === field.address),
    ...query.metrics.filter(
      (m) => m.expression.kind === 'aggregate' && m.expression.field?.address === field.address,
    ),
  ];
  if (fromField.length !== 1) {
    const problem =
      fromField.length === 0 ? 'sort by a column of the query' : 'ambiguous: sort by one of the columns';
    throw validationError(
      path,
      `${problem} (${(fromField.length ? fromField.map((c) => c.name) : columns).join(', ')})`,
    );
  }
  return { kind: 'column', name: fromField[0].name };
}
