import type { EngineDialect, JsonScalar } from '../../engines/types.ts';
import type { Principal } from '../auth/principal.ts';
import { validationError } from '../errors.ts';
import { hasNul, NUL_PROBLEM } from '../storable.ts';
import { type ResolvedBin, resolveBin } from './bins.ts';
import { createFieldResolver } from './calculations.ts';
import { dialects } from './dialects.ts';
import { andConditions, resolveFilter, resolveGroupFilter, resolveRowFilter } from './filters.ts';
import {
  dimensionName,
  type Granularity,
  granularities,
  metricName,
  type Operator,
  type QueryIr,
} from './ir.ts';
import type { Model } from './model.ts';
import {
  createMetricResolver,
  type FieldResolver,
  type MetricExpression,
  type MetricResolver,
  type ResolvedField,
  resolveField,
} from './resolve.ts';
import { type ResolvedPost, type ResolvedTop, requireStages, resolvePostStage } from './validate-post.ts';
import type { RelativeSpec } from './values.ts';
import { type Calendar, canonicalTimeZone } from './zone.ts';

/** A query whose every name is resolved against the model and every value converted: ready to render. */
export interface ResolvedQuery {
  dimensions: ResolvedDimension[];
  metrics: Array<{ name: string; expression: MetricExpression }>;
  where?: Condition;
  having?: Condition;
  /** Calculations over the grouped rows, in order (validate-post.ts). */
  post?: ResolvedPost[];
  top?: ResolvedTop;
  /** Rules on result ids, applied after the post calculations. */
  postWhere?: Condition;
  /**
   * The staged plan's result ids in answer order, when not dimensions, metrics, then post
   * calculations (a pivot lists each value combination's calculations after its metrics).
   */
  columnOrder?: string[];
  /**
   * Only the rows of the groups (by these dimensions, under `where`) that pass `having`: how
   * totals and a pivot's cross-tab keep the rows a metric filter keeps (totals.ts).
   */
  keptGroups?: KeptGroups;
  sorts: Array<{ target: SortTarget; descending: boolean }>;
  limit?: number;
  offset: number;
  aggregate: boolean;
  /** The zone and week start that buckets, date parts and relative dates follow. */
  calendar: Calendar;
}

export interface KeptGroups {
  dimensions: ResolvedDimension[];
  having: Condition;
}

export interface ResolvedDimension {
  name: string;
  field: ResolvedField;
  granularity?: Granularity;
  bin?: ResolvedBin;
}

export type SortTarget = { kind: 'column'; name: string } | { kind: 'field'; field: ResolvedField };

export type ConditionTarget =
  | { kind: 'field'; field: ResolvedField }
  | { kind: 'metric'; expression: MetricExpression }
  /** A result column of the grouped query, by id (post filters); `metric` values compare as numbers. */
  | { kind: 'result'; name: string; type: ResolvedField['type'] | 'metric' }
  /** A dimension's expression, bucket or bin included (a pivot's cell: the rows of one value). */
  | { kind: 'dimension'; dimension: ResolvedDimension };

export type Condition =
  | { kind: 'and' | 'or'; children: Condition[] }
  /** The complement: every row (or group) the child is not true for, NULLs included. */
  | { kind: 'not'; child: Condition }
  /** Matches no row: a row policy the principal has no values for, `= {attribute}` without values. */
  | { kind: 'never' }
  /** Matches every row: `!= {attribute}` when the caller has no value to exclude. */
  | { kind: 'always' }
  | {
      kind: 'rule';
      target: ConditionTarget;
      operator: Operator;
      values: JsonScalar[];
      relative?: RelativeSpec;
      /** A row policy's rule (security.ts): no step may drop it, as previous periods drop date rules. */
      policy?: true;
    };

export interface ValidateOptions {
  maxRows: number;
  /** The engine the query will run on: what it cannot compute is a 400 here. */
  dialect: EngineDialect;
  /** The caller, whose attribute values `{"attribute": …}` filter values take. */
  principal: Pick<Principal, 'attributes'>;
}

export function validateQuery(model: Model, ir: QueryIr, options: ValidateOptions): ResolvedQuery {
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
  const { attributes } = options.principal;
  const calendar = resolveCalendar(ir);
  const { timeZone } = calendar;
  const metrics: MetricResolver = createMetricResolver(model, ir, fields, {
    dialect: dialects[options.dialect],
    rowFilter: (node, path) => resolveRowFilter(node, path, { fields, metrics, attributes, timeZone }),
  });
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
  const scope = { fields, metrics, attributes, timeZone };
  const inferred = ir.filters ? resolveFilter(ir.filters, 'filters', scope) : {};
  if (inferred.having && !ir.aggregate)
    throw validationError('filters', 'metric filters need "aggregate": true');
  const explicit = ir.metricFilters && resolveGroupFilter(ir.metricFilters, 'metricFilters', scope);
  if (explicit && !ir.aggregate)
    throw validationError('metricFilters', 'metric filters need "aggregate": true');
  const split = { ...inferred, having: andConditions(inferred.having, explicit) };
  const query: ResolvedQuery = {
    dimensions,
    metrics: resolvedMetrics,
    ...split,
    sorts: [],
    limit: ir.limit,
    offset: ir.offset,
    aggregate: ir.aggregate,
    calendar,
  };
  Object.assign(query, resolvePostStage(ir, query, { fields, metrics, attributes }));
  requireStages(dialects[options.dialect], ir);
  query.sorts = ir.sorts.map((sort, i) => ({
    target: resolveSort(query, fields, sort.field, `sorts[${i}].field`),
    descending: sort.descending,
  }));
  return query;
}

/** The query's time zone (absent when UTC: nothing to convert) and week start, checked. */
export function resolveCalendar(ir: Pick<QueryIr, 'timezone' | 'weekStart'>): Calendar {
  const weekStart = ir.weekStart ?? 1;
  if (!Number.isInteger(weekStart) || weekStart < 1 || weekStart > 7)
    throw validationError('weekStart', `expected an integer from 1 (Monday) to 7 (Sunday), got ${weekStart}`);
  if (ir.timezone === undefined) return { weekStart };
  const timeZone = canonicalTimeZone(ir.timezone);
  if (timeZone === undefined) {
    throw validationError(
      'timezone',
      `unknown time zone ${JSON.stringify(ir.timezone)} (expected an IANA name such as "Europe/Paris")`,
    );
  }
  return timeZone === 'UTC' ? { weekStart } : { timeZone, weekStart };
}

/** Granularities that need a time of day. */
const timeOfDay: readonly Granularity[] = ['hour', 'minute', 'hour_of_day'];

function resolveDimensions(ir: QueryIr, fields: FieldResolver): ResolvedDimension[] {
  return ir.dimensions.map((dimension, i) => {
    const path = `dimensions[${i}]`;
    const field = fields(dimension.field, `${path}.field`);
    const { granularity, bin } = dimension;
    const resolved: ResolvedDimension = { name: dimensionName(dimension), field };
    if (granularity !== undefined) {
      if (!granularities.includes(granularity))
        throw validationError(`${path}.granularity`, `expected one of ${granularities.join(', ')}`);
      const fits = field.type === 'datetime' || (field.type === 'date' && !timeOfDay.includes(granularity));
      if (!fits) {
        throw validationError(
          `${path}.granularity`,
          `"${granularity}" does not apply to the ${field.type} field ${field.address}`,
        );
      }
      resolved.granularity = granularity;
    }
    if (bin !== undefined) {
      if (granularity !== undefined)
        throw validationError(`${path}.bin`, 'a dimension has a granularity or a bin, not both');
      resolved.bin = resolveBin(bin, field, `${path}.bin`);
    }
    return resolved;
  });
}

/**
 * Raw rows without dimensions select every field, then the calculated ones; a name shared by two
 * tables is qualified.
 */
function allDimensions(model: Model, ir: QueryIr, fields: FieldResolver): ResolvedDimension[] {
  const hidden = new Set(model.hidden?.dimensions);
  const addressable = model.dimensions.filter((d) => !hidden.has(`${d.table}.${d.name}`));
  const modelFields = addressable.map((d) => {
    const shared = addressable.some((other) => other !== d && other.name === d.name);
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

function resolveSort(
  query: ResolvedQuery,
  fields: FieldResolver,
  reference: string,
  path: string,
): SortTarget {
  const columns = [
    ...query.dimensions.map((d) => d.name),
    ...query.metrics.map((m) => m.name),
    ...(query.post ?? []).map((p) => p.id),
  ];
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
