import { validationError } from '../../../core/errors.ts';
import type {
  Aggregation,
  FilterNode,
  QueryDimension,
  QueryIr,
  QueryMetric,
} from '../../../core/query/index.ts';
import { lightdashFieldId } from '../../kit/index.ts';
import type { DimensionType, Explore, ExploreField } from './explores.ts';
import { asRecord, filterRule, unknownField } from './metric-filters.ts';
import type { AdditionalMetric, CustomDimension } from './metric-query-schema.ts';

/**
 * The fields a MetricQuery defines itself (spec §2.0.3): custom dimensions (bins over a
 * dimension, or SQL) and additional metrics (an aggregation of a column or of SQL, maybe
 * filtered), in the core's terms.
 */

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

export const customDimensionType = (dimension: CustomDimension): DimensionType =>
  dimension.type === 'sql'
    ? ((dimension.dimensionType as DimensionType | undefined) ?? 'string')
    : dimension.binType === 'fixed_width'
      ? 'number'
      : 'string';

export interface CustomScope {
  lookup: (id: unknown, path: string) => ExploreField | undefined;
  explore: Explore;
  ir: QueryIr;
  /** The `[min, max]` of a numeric field over the explore, for `fixed_number` bins. */
  rangeOf?: (address: string) => Promise<{ min: number; max: number } | undefined>;
}

export async function customDimensionIr(
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

export function additionalMetricIr(
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
