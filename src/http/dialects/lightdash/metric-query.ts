import { type Static, Type } from 'typebox';
import type { Principal } from '../../../core/auth/index.ts';
import type { Project } from '../../../core/directory/index.ts';
import { isRosettaError, type RosettaError, renameField, validationError } from '../../../core/errors.ts';
import type {
  Aggregation,
  FilterNode,
  FilterRule,
  Granularity,
  Model,
  QueryDimension,
  QueryIr,
  QueryMetric,
  QueryRunResult,
} from '../../../core/query/index.ts';
import type { JsonScalar } from '../../../engines/types.ts';
import type { Services } from '../../../services.ts';
import { fieldIdReader, lightdashFieldId } from '../../kit/index.ts';
import {
  type DimensionType,
  type Explore,
  type ExploreField,
  fieldJson,
  findExplore,
  intervalGranularity,
  type TimeInterval,
} from './explores.ts';
import { type QueryResults, queryResults, type SelectedField } from './results.ts';

/**
 * Lightdash's MetricQuery (spec §2.0.3, §3.4, §3.5) → the query core's IR. Every result column
 * is named by its Lightdash id (dimensions and metrics through `alias`, table calculations as post
 * formulas, custom dimensions by their id), so rows and sorts need no second mapping. Only shapes
 * are mapped: fields, operators against types, limits and permissions are the core's to check.
 */

const Open = { additionalProperties: true };

export const MetricQuerySchema = Type.Object(
  {
    exploreName: Type.Optional(Type.String()),
    dimensions: Type.Array(Type.String()),
    metrics: Type.Array(Type.String()),
    filters: Type.Optional(
      Type.Object(
        {
          dimensions: Type.Optional(Type.Unknown()),
          metrics: Type.Optional(Type.Unknown()),
          tableCalculations: Type.Optional(Type.Unknown()),
        },
        Open,
      ),
    ),
    sorts: Type.Optional(
      Type.Array(Type.Object({ fieldId: Type.String(), descending: Type.Boolean() }, Open)),
    ),
    limit: Type.Optional(Type.Number()),
    tableCalculations: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            displayName: Type.Optional(Type.String()),
            sql: Type.String(),
            type: Type.Optional(Type.String()),
          },
          Open,
        ),
      ),
    ),
    additionalMetrics: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            table: Type.String(),
            type: Type.String(),
            sql: Type.String(),
            percentile: Type.Optional(Type.Number()),
            filters: Type.Optional(Type.Array(Type.Unknown())),
          },
          Open,
        ),
      ),
    ),
    customDimensions: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Type.String({ minLength: 1 }),
            name: Type.Optional(Type.String()),
            table: Type.Optional(Type.String()),
            type: Type.Union([Type.Literal('bin'), Type.Literal('sql')]),
            dimensionId: Type.Optional(Type.String()),
            binType: Type.Optional(
              Type.Union([
                Type.Literal('fixed_number'),
                Type.Literal('fixed_width'),
                Type.Literal('custom_range'),
              ]),
            ),
            binNumber: Type.Optional(Type.Number()),
            binWidth: Type.Optional(Type.Number()),
            customRange: Type.Optional(
              Type.Array(
                Type.Object({ from: Type.Optional(Type.Number()), to: Type.Optional(Type.Number()) }),
                { maxItems: 100 },
              ),
            ),
            sql: Type.Optional(Type.String()),
            dimensionType: Type.Optional(Type.String()),
          },
          Open,
        ),
      ),
    ),
    timezone: Type.Optional(Type.String()),
    metadata: Type.Optional(Type.Unknown()),
    granularity: Type.Optional(
      Type.Union([
        Type.Literal('Day'),
        Type.Literal('Week'),
        Type.Literal('Month'),
        Type.Literal('Quarter'),
        Type.Literal('Year'),
      ]),
    ),
    csvLimit: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  },
  Open,
);
export type MetricQuery = Static<typeof MetricQuerySchema>;
type AdditionalMetric = NonNullable<MetricQuery['additionalMetrics']>[number];
type CustomDimension = NonNullable<MetricQuery['customDimensions']>[number];
type TableCalculation = NonNullable<MetricQuery['tableCalculations']>[number];

export interface PlanOptions {
  /** The server maximum of `limit` (health's `query.maxLimit`). */
  maxLimit: number;
  /** Underlying data: plain rows, the query's timezone and date zoom ignored (spec §2.6). */
  underlying?: boolean;
  /** The `[min, max]` of a numeric field over the explore, for `fixed_number` bins. */
  rangeOf?: (address: string) => Promise<{ min: number; max: number } | undefined>;
}

export interface PlannedQuery {
  ir: QueryIr;
  /** The result columns the answer shows, in Lightdash's order, with their `fields` entries. */
  selected: SelectedField[];
  /** Core paths (`post[0]`) → the MetricQuery's (`tableCalculations[0].sql`), to rename core errors. */
  paths: Array<[string, string]>;
}

const aggregationOf: Record<string, Aggregation> = {
  sum: 'sum',
  average: 'avg',
  count: 'count',
  count_distinct: 'count_distinct',
  min: 'min',
  max: 'max',
  median: 'median',
  percentile: 'percentile',
};

const sqlAggregate: Partial<Record<string, (sql: string) => string>> = {
  sum: (sql) => `SUM(${sql})`,
  average: (sql) => `AVG(${sql})`,
  count: (sql) => `COUNT(${sql})`,
  count_distinct: (sql) => `COUNT(DISTINCT ${sql})`,
  min: (sql) => `MIN(${sql})`,
  max: (sql) => `MAX(${sql})`,
};

/** The reason a Lightdash client reads as `FieldReferenceError`. */
const unknownField = (path: string, id: string): RosettaError =>
  validationError(path, `unknown field id ${JSON.stringify(id)}`, 'query.unknown_field');

/** The MetricQuery as IR; throws 400s named on the MetricQuery's paths. */
export async function planMetricQuery(
  explore: Explore,
  query: MetricQuery,
  options: PlanOptions,
): Promise<PlannedQuery> {
  const byId = new Map(explore.fields.map((field) => [field.id, field]));
  const readId = fieldIdReader(
    'lightdash',
    explore.fields.map((field) => ({ table: field.table, field: field.name })),
  );
  const lookup = (id: unknown, path: string): ExploreField | undefined => {
    const ref = readId(id, path);
    return ref && byId.get(lightdashFieldId(ref));
  };
  const additional = new Map(
    (query.additionalMetrics ?? []).map((metric, i) => [
      lightdashFieldId({ table: metric.table, field: metric.name }),
      { metric, path: `additionalMetrics[${i}]` },
    ]),
  );
  const custom = new Map(
    (query.customDimensions ?? []).map((dimension, i) => [dimension.id, { dimension, i }]),
  );
  const calculations = new Map(
    (query.tableCalculations ?? []).map((calculation) => [calculation.name, calculation]),
  );
  const ir: QueryIr = { dimensions: [], metrics: [], sorts: [], offset: 0, aggregate: true };
  const selected: SelectedField[] = [];
  const paths: Array<[string, string]> = [];

  checkLimit(query.limit, options.maxLimit);
  if (query.limit !== undefined) ir.limit = query.limit;
  if (!options.underlying && query.timezone !== undefined) ir.timezone = query.timezone;
  const zoom = options.underlying ? undefined : query.granularity;
  let zoomed = false;

  for (const [i, id] of query.dimensions.entries()) {
    const path = `dimensions[${i}]`;
    const customDimension = custom.get(id);
    if (customDimension) {
      paths.push([`dimensions[${ir.dimensions.length}]`, `customDimensions[${customDimension.i}]`]);
      ir.dimensions.push(
        await customDimensionIr(customDimension.dimension, `customDimensions[${customDimension.i}]`, {
          lookup,
          explore,
          ir,
          rangeOf: options.rangeOf,
        }),
      );
      selected.push({
        id,
        kind: 'dimension',
        type: customDimensionType(customDimension.dimension),
        item: customDimension.dimension,
      });
      continue;
    }
    const field = lookup(id, path);
    if (field?.fieldType !== 'dimension') throw unknownField(path, id);
    const dimension: QueryDimension = { field: field.address, alias: field.id };
    const granularity = granularityOf(field.interval);
    if (granularity) dimension.granularity = granularity;
    let interval = field.interval;
    if (zoom && !zoomed && (field.type === 'date' || field.type === 'timestamp')) {
      zoomed = true;
      interval = zoom.toUpperCase() as TimeInterval;
      dimension.granularity = intervalGranularity[interval as Exclude<TimeInterval, 'RAW'>];
    }
    paths.push([`dimensions[${ir.dimensions.length}]`, path]);
    ir.dimensions.push(dimension);
    selected.push({
      id,
      kind: 'dimension',
      type: interval && interval !== 'RAW' ? 'date' : (field.type as DimensionType),
      ...(interval !== undefined && { interval }),
      item: fieldJson(field, field.table),
    });
  }

  const addMetric = (id: string, path: string, shown: boolean): void => {
    if (ir.metrics.some((metric) => 'alias' in metric && metric.alias === id)) return;
    const extra = additional.get(id);
    if (extra) {
      paths.push([`metrics[${ir.metrics.length}]`, extra.path]);
      ir.metrics.push(additionalMetricIr(extra.metric, extra.path, id, explore, lookup));
      if (shown)
        selected.push({ id, kind: 'metric', type: 'number', item: { ...extra.metric, fieldType: 'metric' } });
      return;
    }
    const field = lookup(id, path);
    if (field?.fieldType !== 'metric') throw unknownField(path, id);
    paths.push([`metrics[${ir.metrics.length}]`, path]);
    ir.metrics.push({ kind: 'model', metric: field.address, alias: field.id });
    if (shown) selected.push({ id, kind: 'metric', type: 'number', item: fieldJson(field, field.table) });
  };
  for (const [i, id] of query.metrics.entries()) addMetric(id, `metrics[${i}]`, true);

  const post = (query.tableCalculations ?? []).map((calculation, i) => {
    const path = `tableCalculations[${i}].sql`;
    paths.push([`post[${i}]`, path]);
    selected.push({
      id: calculation.name,
      kind: 'calculation',
      type: (calculation.type as DimensionType | undefined) ?? 'number',
      item: calculation,
    });
    return {
      id: calculation.name,
      type: 'formula' as const,
      formula: calculationFormula(calculation, path, explore, calculations),
    };
  });
  if (post.length > 0) ir.post = post;

  const filters = query.filters ?? {};
  const typeOf = (
    id: string,
    path: string,
  ): { field: string; type: DimensionType; interval?: TimeInterval } => {
    const field = lookup(id, path);
    if (field?.fieldType !== 'dimension') throw unknownField(path, id);
    return {
      field: field.address,
      type: field.type as DimensionType,
      ...(field.interval && { interval: field.interval }),
    };
  };
  const dimensionFilter = filterTree(filters.dimensions, 'filters.dimensions', typeOf);
  if (dimensionFilter) {
    ir.filters = dimensionFilter;
    paths.push(['filters', 'filters.dimensions']);
  }
  const metricFilter = filterTree(filters.metrics, 'filters.metrics', (id, path) => {
    addMetric(id, path, false);
    return { field: id, type: 'number' };
  });
  if (metricFilter) {
    ir.metricFilters = metricFilter;
    paths.push(['metricFilters', 'filters.metrics']);
  }
  const calculationFilter = filterTree(filters.tableCalculations, 'filters.tableCalculations', (id, path) => {
    const calculation = calculations.get(id);
    if (!calculation) throw unknownField(path, id);
    return { field: id, type: (calculation.type as DimensionType | undefined) ?? 'number' };
  });
  if (calculationFilter) {
    ir.postFilters = calculationFilter;
    paths.push(['postFilters', 'filters.tableCalculations']);
  }

  // A sort names a column of the answer; an id naming nothing at all is a field reference error.
  const known = new Set([...selected.map((field) => field.id), ...byId.keys()]);
  ir.sorts = (query.sorts ?? []).map((sort, i) => {
    if (!known.has(sort.fieldId)) throw unknownField(`sorts[${i}].fieldId`, sort.fieldId);
    paths.push([`sorts[${i}]`, `sorts[${i}].fieldId`]);
    return { field: sort.fieldId, descending: sort.descending };
  });
  if (options.underlying && ir.metrics.length === 0) ir.aggregate = false;
  return { ir, selected, paths };
}

function checkLimit(limit: number | undefined, maxLimit: number): void {
  if (limit === undefined) return;
  if (!Number.isInteger(limit) || limit < 0) throw validationError('limit', 'must be a whole number from 0');
  if (limit > maxLimit) throw validationError('limit', `Query limit can not exceed ${maxLimit}`);
}

const granularityOf = (interval: TimeInterval | undefined): Granularity | undefined =>
  interval === undefined || interval === 'RAW' ? undefined : intervalGranularity[interval];

const customDimensionType = (dimension: CustomDimension): DimensionType =>
  dimension.type === 'sql'
    ? ((dimension.dimensionType as DimensionType | undefined) ?? 'string')
    : dimension.binType === 'fixed_width'
      ? 'number'
      : 'string';

interface CustomScope {
  lookup: (id: unknown, path: string) => ExploreField | undefined;
  explore: Explore;
  ir: QueryIr;
  rangeOf: PlanOptions['rangeOf'];
}

async function customDimensionIr(
  dimension: CustomDimension,
  path: string,
  scope: CustomScope,
): Promise<QueryDimension> {
  if (dimension.type === 'sql') {
    if (dimension.sql === undefined) throw validationError(`${path}.sql`, 'is required');
    const type = coreTypeOf[(dimension.dimensionType as DimensionType | undefined) ?? 'string'];
    scope.ir.calculations = [
      ...(scope.ir.calculations ?? []),
      {
        name: dimension.id,
        sql: coreSql(dimension.sql, `${path}.sql`, scope.explore),
        ...(type && { type }),
      },
    ];
    return { field: dimension.id, alias: dimension.id };
  }
  const base = scope.lookup(dimension.dimensionId, `${path}.dimensionId`);
  if (base?.fieldType !== 'dimension')
    throw unknownField(`${path}.dimensionId`, String(dimension.dimensionId));
  const field = base.address;
  if (dimension.binType === 'fixed_width') {
    if (!(typeof dimension.binWidth === 'number' && dimension.binWidth > 0))
      throw validationError(`${path}.binWidth`, 'must be a number above 0');
    return { field, alias: dimension.id, bin: { width: dimension.binWidth } };
  }
  if (dimension.binType === 'custom_range') {
    const ranges = dimension.customRange ?? [];
    if (ranges.length === 0) throw validationError(`${path}.customRange`, 'needs at least one range');
    return { field, alias: dimension.id, bin: { ranges: ranges.map((range) => ({ ...range })) } };
  }
  if (dimension.binType !== 'fixed_number') throw validationError(`${path}.binType`, 'is required');
  const count = dimension.binNumber;
  if (!(typeof count === 'number' && Number.isInteger(count) && count >= 1 && count <= 100))
    throw validationError(`${path}.binNumber`, 'must be a whole number from 1 to 100');
  const range = await scope.rangeOf?.(field);
  if (!range) return { field, alias: dimension.id, bin: { ranges: [{ label: 'all' }] } };
  const width = (range.max - range.min) / count || 1;
  const bounds = Array.from({ length: count + 1 }, (_, k) => range.min + k * width);
  // The first bin takes everything below, the last everything above, as Lightdash's do.
  const ranges = bounds.slice(0, -1).map((from, k) => ({
    ...(k > 0 && { from }),
    ...(k < count - 1 && { to: bounds[k + 1] }),
    label: `${round(from)}-${round(bounds[k + 1])}`,
  }));
  return { field, alias: dimension.id, bin: { ranges } };
}

const round = (value: number): number => Math.round(value * 1e6) / 1e6;

const coreTypeOf: Record<DimensionType, 'string' | 'number' | 'datetime' | 'date' | 'boolean'> = {
  string: 'string',
  number: 'number',
  timestamp: 'datetime',
  date: 'date',
  boolean: 'boolean',
};

/** `${TABLE}`, `${table.field}` and `${table}` of Lightdash SQL as the core's placeholders. */
function coreSql(sql: string, path: string, explore: Explore, ownTable?: string): string {
  const aliasOf = new Map(explore.tables.map((table) => [table.name, table.alias]));
  return sql.replace(/\$\{([^}]*)\}/g, (whole, reference: string) => {
    if (reference === 'TABLE')
      return ownTable === undefined ? whole : `\${${aliasOf.get(ownTable) ?? ownTable}}`;
    const dot = reference.lastIndexOf('.');
    if (dot < 0) {
      if (aliasOf.has(reference)) return `\${${aliasOf.get(reference)}}`;
      throw validationError(path, `unknown reference ${whole}`, 'query.unknown_field');
    }
    const field = explore.fields.find(
      (candidate) =>
        candidate.fieldType === 'dimension' &&
        candidate.interval === undefined &&
        candidate.table === reference.slice(0, dot) &&
        candidate.name === reference.slice(dot + 1),
    );
    if (!field?.column) throw validationError(path, `unknown dimension ${whole}`, 'query.unknown_field');
    return `\${${aliasOf.get(field.table) ?? field.table}}.${field.column}`;
  });
}

function additionalMetricIr(
  metric: AdditionalMetric,
  path: string,
  id: string,
  explore: Explore,
  lookup: CustomScope['lookup'],
): QueryMetric {
  const aggregation = aggregationOf[metric.type];
  if (!aggregation)
    throw validationError(
      `${path}.type`,
      `must be one of ${Object.keys(aggregationOf).join(', ')} (metrics over other metrics are table calculations here)`,
    );
  const field = plainField(metric, explore);
  const filters = metricRowFilter(metric, path, lookup);
  if (field || (aggregation === 'count' && metric.sql.trim() === '*')) {
    const ir: QueryMetric = {
      kind: 'aggregate',
      aggregation,
      alias: id,
      ...(field && { field: field.address }),
    };
    if (aggregation === 'percentile') ir.percentile = (metric.percentile ?? 50) / 100;
    if (filters) ir.filters = filters;
    return ir;
  }
  const render = sqlAggregate[metric.type];
  if (!render)
    throw validationError(`${path}.sql`, `a ${metric.type} metric must name one column: \${TABLE}.<column>`);
  if (filters) throw validationError(`${path}.filters`, 'filters apply only to a metric over one column');
  return {
    kind: 'sql',
    name: id,
    sql: render(`(${coreSql(metric.sql, `${path}.sql`, explore, metric.table)})`),
  };
}

/** `${TABLE}.<column>` or `${table.field}`: the explore dimension an additional metric aggregates. */
function plainField(metric: AdditionalMetric, explore: Explore): ExploreField | undefined {
  const sql = metric.sql.trim();
  const own = /^\$\{TABLE\}\.("?)([^"]+)\1$/.exec(sql);
  const reference = /^\$\{([^}]+)\.([^}.]+)\}$/.exec(sql);
  return explore.fields.find(
    (field) =>
      field.fieldType === 'dimension' &&
      field.interval === undefined &&
      (own
        ? field.table === metric.table && (field.column === own[2] || field.name === own[2])
        : reference !== null && field.table === reference[1] && field.name === reference[2]),
  );
}

/** An additional metric's `filters` (MetricFilterRule, `target.fieldRef` = `table.field` or `field`). */
function metricRowFilter(
  metric: AdditionalMetric,
  path: string,
  lookup: CustomScope['lookup'],
): FilterNode | undefined {
  const rules = (metric.filters ?? []).flatMap((entry, i) => {
    const rulePath = `${path}.filters[${i}]`;
    const rule = asRecord(entry, rulePath);
    const target = asRecord(rule.target, `${rulePath}.target`);
    const ref = String(target.fieldRef ?? '');
    const id = ref.includes('.')
      ? lightdashFieldId({ table: ref.slice(0, ref.indexOf('.')), field: ref.slice(ref.indexOf('.') + 1) })
      : lightdashFieldId({ table: metric.table, field: ref });
    const node = filterRule({ ...rule, target: { fieldId: id } }, rulePath, (fieldId, fieldPath) => {
      const field = lookup(fieldId, fieldPath);
      if (field?.fieldType !== 'dimension') throw unknownField(`${rulePath}.target.fieldRef`, ref);
      return {
        field: field.address,
        type: field.type as DimensionType,
        ...(field.interval && { interval: field.interval }),
      };
    });
    return node ? [node] : [];
  });
  return rules.length === 0 ? undefined : rules.length === 1 ? rules[0] : { and: rules };
}

/** A table calculation's SQL as a post formula over result ids: `${table.field}` → its field id. */
function calculationFormula(
  calculation: TableCalculation,
  path: string,
  explore: Explore,
  calculations: Map<string, TableCalculation>,
): string {
  const tables = new Set(explore.tables.map((table) => table.name));
  return calculation.sql.replace(/\$\{([^}]*)\}/g, (whole, reference: string) => {
    if (calculations.has(reference)) return quoteName(reference);
    const dot = reference.lastIndexOf('.');
    const table = dot < 0 ? '' : reference.slice(0, dot);
    if (dot < 0 || !tables.has(table))
      throw validationError(path, `unknown reference ${whole}`, 'query.unknown_field');
    return quoteName(lightdashFieldId({ table, field: reference.slice(dot + 1) }));
  });
}

const quoteName = (name: string): string => `"${name.replaceAll('"', '""')}"`;

// ---------------------------------------------------------------------------------------------
// Filters (spec §3.5)

type Target = { field: string; type: DimensionType; interval?: TimeInterval };
type TargetOf = (fieldId: string, path: string) => Target;

const operatorsOf: Record<DimensionType, readonly string[]> = {
  string: ['equals', 'notEquals', 'include', 'doesNotInclude', 'startsWith', 'endsWith', 'isNull', 'notNull'],
  number: [
    'equals',
    'notEquals',
    'lessThan',
    'lessThanOrEqual',
    'greaterThan',
    'greaterThanOrEqual',
    'inBetween',
    'isNull',
    'notNull',
  ],
  date: [
    'equals',
    'notEquals',
    'lessThan',
    'lessThanOrEqual',
    'greaterThan',
    'greaterThanOrEqual',
    'inThePast',
    'notInThePast',
    'inTheNext',
    'inTheCurrent',
    'notInTheCurrent',
    'inBetween',
    'isNull',
    'notNull',
  ],
  timestamp: [],
  boolean: ['equals', 'notEquals', 'isNull', 'notNull'],
};
operatorsOf.timestamp = operatorsOf.date;

const units: Record<string, string> = {
  minutes: 'minute',
  hours: 'hour',
  days: 'day',
  weeks: 'week',
  months: 'month',
  quarters: 'quarter',
  years: 'year',
};

/** An operator the field's type does not take: Lightdash's CompileError. */
const unsupportedOperator = (path: string, operator: string, type: DimensionType): RosettaError =>
  validationError(
    `${path}.operator`,
    `operator "${operator}" does not apply to a ${type} field (it takes ${operatorsOf[type].join(', ')})`,
    'query.unsupported_operator',
  );

const maxDepth = 32;

function asRecord(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw validationError(path, 'must be an object');
  return value as Record<string, unknown>;
}

/** A FilterGroup (recursive `and`/`or`) as an IR filter; empty groups and disabled rules add nothing. */
function filterTree(value: unknown, path: string, targetOf: TargetOf, depth = 0): FilterNode | undefined {
  if (value === undefined || value === null) return undefined;
  if (depth > maxDepth) throw validationError(path, `filters nest deeper than ${maxDepth} levels`);
  const group = asRecord(value, path);
  const kind = Array.isArray(group.and) ? 'and' : Array.isArray(group.or) ? 'or' : undefined;
  if (!kind) {
    if ('target' in group) return filterRule(group, path, targetOf);
    if (Object.keys(group).every((key) => key === 'id')) return undefined;
    throw validationError(path, 'must be a filter group {id, and: […]} or {id, or: […]}');
  }
  const children = (group[kind] as unknown[]).flatMap((child, i) => {
    const node = filterTree(child, `${path}.${kind}[${i}]`, targetOf, depth + 1);
    return node ? [node] : [];
  });
  if (children.length === 0) return undefined;
  if (children.length === 1) return children[0];
  return kind === 'and' ? { and: children } : { or: children };
}

function filterRule(rule: Record<string, unknown>, path: string, targetOf: TargetOf): FilterNode | undefined {
  if (rule.disabled === true) return undefined;
  const target = asRecord(rule.target, `${path}.target`);
  if (typeof target.fieldId !== 'string')
    throw validationError(`${path}.target.fieldId`, 'must be a field id');
  const { field, type, interval } = targetOf(target.fieldId, `${path}.target.fieldId`);
  const operator = rule.operator;
  if (typeof operator !== 'string') throw validationError(`${path}.operator`, 'is required');
  if (!operatorsOf[type].includes(operator)) {
    const known = Object.values(operatorsOf).some((list) => list.includes(operator));
    if (!known) throw validationError(`${path}.operator`, `unknown operator ${JSON.stringify(operator)}`);
    throw unsupportedOperator(path, operator, type);
  }
  if (rule.values !== undefined && !Array.isArray(rule.values))
    throw validationError(`${path}.values`, 'must be an array');
  const values = ((rule.values as unknown[] | undefined) ?? []).map((value, i) =>
    scalarOf(value, `${path}.values[${i}]`, type),
  );
  const settings =
    rule.settings === undefined || rule.settings === null ? {} : asRecord(rule.settings, `${path}.settings`);
  const make = (op: FilterRule['operator'], vals: JsonScalar[]): FilterRule => ({
    field,
    operator: op,
    values: vals,
  });
  switch (operator) {
    case 'isNull':
      return make('null', []);
    case 'notNull':
      return make('not null', []);
    case 'inThePast':
    case 'notInThePast':
    case 'inTheNext': {
      const amount = values[0];
      if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1)
        throw validationError(`${path}.values[0]`, 'must be a whole number of units from 1');
      const unit = unitOf(settings, path);
      const relative = make('relative', [
        operator === 'inTheNext' ? 'next' : 'last',
        amount,
        unit,
        ...(settings.completed === true ? [] : ['rolling']),
      ]);
      return operator === 'notInThePast' ? { not: relative } : relative;
    }
    case 'inTheCurrent':
    case 'notInTheCurrent': {
      const current = make('relative', ['this', unitOf(settings, path)]);
      return operator === 'notInTheCurrent' ? { not: current } : current;
    }
  }
  // Rules without values filter nothing, as Lightdash renders them `true`.
  if (values.length === 0) return undefined;
  if (interval !== undefined && interval !== 'RAW')
    return bucketRule(operator, field, interval, values, path);
  switch (operator) {
    case 'equals':
      return make('=', values);
    case 'notEquals':
      return make('!=', values);
    case 'include':
      return make('contains', values);
    case 'doesNotInclude':
      return make('not contains', values);
    case 'startsWith':
      return make('starts with', values);
    case 'endsWith':
      return make('ends with', values);
    case 'lessThan':
      return make('<', values.slice(0, 1));
    case 'lessThanOrEqual':
      return make('<=', values.slice(0, 1));
    case 'greaterThan':
      return make('>', values.slice(0, 1));
    case 'greaterThanOrEqual':
      return make('>=', values.slice(0, 1));
    case 'inBetween':
      if (values.length < 2) throw validationError(`${path}.values`, 'inBetween takes two values');
      return make('between', values.slice(0, 2));
  }
  throw unsupportedOperator(path, operator, type);
}

function unitOf(settings: Record<string, unknown>, path: string): string {
  const unit = settings.unitOfTime ?? 'days';
  const period = typeof unit === 'string' ? units[unit] : undefined;
  if (!period)
    throw validationError(`${path}.settings.unitOfTime`, `must be one of ${Object.keys(units).join(', ')}`);
  return period;
}

/** Dates travel as ISO text: a date field takes its day, a bucket its start. */
function scalarOf(value: unknown, path: string, type: DimensionType): JsonScalar {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
    if (type === 'date' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value))
      return value.slice(0, 10);
    return value as JsonScalar;
  }
  throw validationError(path, 'must be a string, number or boolean');
}

/**
 * A rule on a time bucket (`created_at_month`) compares the bucket, so it filters the raw field
 * by the bucket's bounds: `equals 2024-01` is `[2024-01-01, 2024-02-01)`.
 */
function bucketRule(
  operator: string,
  field: string,
  interval: Exclude<TimeInterval, 'RAW'>,
  values: JsonScalar[],
  path: string,
): FilterNode {
  const start = (value: JsonScalar, i: number): string => {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value))
      throw validationError(`${path}.values[${i}]`, 'must be a date YYYY-MM-DD');
    return value.slice(0, 10);
  };
  const rule = (op: FilterRule['operator'], value: string): FilterRule => ({
    field,
    operator: op,
    values: [value],
  });
  const within = (value: JsonScalar, i: number): FilterNode => ({
    and: [rule('>=', start(value, i)), rule('<', nextBucket(start(value, i), interval))],
  });
  switch (operator) {
    case 'equals':
      return values.length === 1 ? within(values[0], 0) : { or: values.map(within) };
    case 'notEquals':
      return { not: values.length === 1 ? within(values[0], 0) : { or: values.map(within) } };
    case 'lessThan':
      return rule('<', start(values[0], 0));
    case 'lessThanOrEqual':
      return rule('<', nextBucket(start(values[0], 0), interval));
    case 'greaterThan':
      return rule('>=', nextBucket(start(values[0], 0), interval));
    case 'greaterThanOrEqual':
      return rule('>=', start(values[0], 0));
    case 'inBetween':
      if (values.length < 2) throw validationError(`${path}.values`, 'inBetween takes two values');
      return { and: [rule('>=', start(values[0], 0)), rule('<', nextBucket(start(values[1], 1), interval))] };
  }
  throw unsupportedOperator(path, operator, 'date');
}

function nextBucket(day: string, interval: Exclude<TimeInterval, 'RAW'>): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (interval === 'DAY') date.setUTCDate(date.getUTCDate() + 1);
  else if (interval === 'WEEK') date.setUTCDate(date.getUTCDate() + 7);
  else date.setUTCMonth(date.getUTCMonth() + (interval === 'MONTH' ? 1 : interval === 'QUARTER' ? 3 : 12));
  return date.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// Running

export type QueryPorts = Pick<Services, 'data' | 'query'>;

export interface RunOptions {
  maxLimit: number;
  /** The explore of the path (`exploreId`); the body's `exploreName` otherwise. */
  exploreName?: string;
  underlying?: boolean;
  noCache?: boolean;
}

/** The explore, its model and the planned IR of a MetricQuery, core errors renamed to its paths. */
export async function prepareMetricQuery(
  ports: QueryPorts,
  principal: Principal,
  project: Project,
  query: MetricQuery,
  options: RunOptions,
): Promise<{ explore: Explore; model: Model; planned: PlannedQuery }> {
  const name = options.exploreName ?? query.exploreName;
  if (!name) throw validationError('exploreName', 'is required');
  const { explore, model } = await findExplore(ports, principal, project, name);
  const planned = await planMetricQuery(explore, query, {
    maxLimit: options.maxLimit,
    underlying: options.underlying,
    rangeOf: (address) => rangeOf(ports, principal, model, address),
  });
  return { explore, model, planned };
}

async function rangeOf(
  ports: QueryPorts,
  principal: Principal,
  model: Model,
  address: string,
): Promise<{ min: number; max: number } | undefined> {
  const result = await ports.query.runIr(principal, model, {
    dimensions: [],
    metrics: [
      { kind: 'aggregate', aggregation: 'min', field: address, alias: 'min' },
      { kind: 'aggregate', aggregation: 'max', field: address, alias: 'max' },
    ],
    sorts: [],
    offset: 0,
    aggregate: true,
  });
  const [min, max] = result.rows[0] ?? [];
  return typeof min === 'number' && typeof max === 'number' ? { min, max } : undefined;
}

/** Runs `work`, naming any core error on the MetricQuery's path instead of the IR's. */
export async function onMetricQueryPaths<T>(
  paths: PlannedQuery['paths'],
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isRosettaError(error) || error.field === undefined) throw error;
    const field = error.field;
    const match = [...paths]
      .sort((a, b) => b[0].length - a[0].length)
      .find(
        ([prefix]) => field === prefix || field.startsWith(`${prefix}.`) || field.startsWith(`${prefix}[`),
      );
    throw match ? renameField(error, match[1] + field.slice(match[0].length)) : error;
  }
}

/**
 * Runs a MetricQuery as `principal` on an explore of `project` and answers Lightdash's
 * QueryResults. Saved charts (L3) call it with the MetricQuery they stored.
 */
export async function runMetricQuery(
  ports: QueryPorts,
  principal: Principal,
  project: Project,
  query: MetricQuery,
  options: RunOptions,
): Promise<QueryResults> {
  const { model, planned } = await prepareMetricQuery(ports, principal, project, query, options);
  const result: QueryRunResult = await onMetricQueryPaths(planned.paths, () =>
    ports.query.runIr(principal, model, planned.ir, { noCache: options.noCache, maxRows: options.maxLimit }),
  );
  return queryResults(query, planned.selected, result);
}
