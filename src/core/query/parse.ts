import type { ColumnType } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import { array, boolean, describe, filledText, integer, nonEmpty, oneOf, record, scalar } from '../input.ts';
import {
  aggregations,
  type FilterNode,
  type FilterRule,
  type Granularity,
  granularities,
  type Operator,
  operators,
  type QueryCalculation,
  type QueryDimension,
  type QueryIr,
  type QueryMetric,
  type QuerySort,
} from './ir.ts';
import type { Aggregation } from './model.ts';
import {
  MAX_QUERY_TEXT,
  parseBin,
  parsePivot,
  parsePost,
  parseTimezone,
  parseTop,
  parseTotals,
} from './parse-analytics.ts';
import { isVariableRef, parseVariables, substitute, type VariableValues } from './variables.ts';

/**
 * The native query body (untrusted JSON) → IR. Only shapes and types are checked here; fields,
 * operators against types and limits are checked against the model by validate.ts. Every error
 * names the path of the bad part, e.g. `filters.and[0].operator: unknown operator "~"`.
 */
export interface ParsedQuery {
  /** Data source uuid or model name. */
  source: string;
  ir: QueryIr;
  /** Also count the rows without limit and offset (`totalRows`); not part of the IR. */
  count: boolean;
}

/** Deeper filter trees are refused: nobody writes them by hand and they could exhaust the stack. */
const maxFilterDepth = 32;

export function parseQueryBody(body: unknown): ParsedQuery {
  const root = record('', body, [
    'source',
    'calculations',
    'dimensions',
    'metrics',
    'filters',
    'sorts',
    'limit',
    'offset',
    'aggregate',
    'variables',
    'count',
    'metricFilters',
    'postFilters',
    'post',
    'top',
    'totals',
    'pivot',
    'timezone',
    'weekStart',
  ]);
  const variables = parseVariables(root.variables);
  const source = filledText('source', root.source, MAX_QUERY_TEXT);
  const calculations = array('calculations', root.calculations ?? []).map((entry, i) =>
    parseCalculation(entry, `calculations[${i}]`),
  );
  return {
    source,
    ir: {
      ...(calculations.length > 0 && { calculations }),
      dimensions: array('dimensions', root.dimensions ?? []).map((entry, i) =>
        parseDimension(entry, `dimensions[${i}]`),
      ),
      metrics: array('metrics', root.metrics ?? []).map((entry, i) =>
        parseMetric(entry, `metrics[${i}]`, variables),
      ),
      filters: optionalFilter(root.filters, 'filters', variables),
      ...optional('metricFilters', optionalFilter(root.metricFilters, 'metricFilters', variables)),
      ...optional('postFilters', optionalFilter(root.postFilters, 'postFilters', variables)),
      ...optional(
        'post',
        root.post === undefined || root.post === null
          ? undefined
          : array('post', root.post).map((entry, i) => parsePost(entry, `post[${i}]`)),
      ),
      ...optional('top', root.top === undefined || root.top === null ? undefined : parseTop(root.top)),
      ...optional('totals', parseTotals(root.totals)),
      ...optional(
        'pivot',
        root.pivot === undefined || root.pivot === null ? undefined : parsePivot(root.pivot),
      ),
      ...optional('timezone', root.timezone === undefined ? undefined : parseTimezone(root.timezone)),
      ...optional(
        'weekStart',
        root.weekStart === undefined ? undefined : integer('weekStart', root.weekStart, 1, 7),
      ),
      sorts: array('sorts', root.sorts ?? []).map((entry, i) => parseSort(entry, `sorts[${i}]`)),
      limit:
        root.limit === undefined || root.limit === null
          ? undefined
          : integer('limit', root.limit, 0, Number.MAX_SAFE_INTEGER),
      offset:
        root.offset === undefined || root.offset === null
          ? 0
          : integer('offset', root.offset, 0, Number.MAX_SAFE_INTEGER),
      aggregate: root.aggregate === undefined ? true : boolean('aggregate', root.aggregate),
    },
    count: root.count === undefined ? false : boolean('count', root.count),
  };
}

/** `{key: value}` when the value is present, so absent options stay absent in the IR. */
const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  value === undefined ? {} : ({ [key]: value } as Record<K, V>);

const optionalFilter = (value: unknown, path: string, variables: VariableValues): FilterNode | undefined =>
  value === undefined || value === null ? undefined : parseFilter(value, path, 0, variables);

function parseCalculation(entry: unknown, path: string): QueryCalculation {
  const value = record(path, entry, ['name', 'formula', 'sql', 'type']);
  const name = filledText(`${path}.name`, value.name, MAX_QUERY_TEXT);
  if (value.sql !== undefined) {
    if (value.formula !== undefined) throw validationError(path, 'give either "formula" or "sql", not both');
    const calculation: QueryCalculation = { name, sql: filledText(`${path}.sql`, value.sql, MAX_QUERY_TEXT) };
    if (value.type !== undefined)
      calculation.type = oneOf<ColumnType>(`${path}.type`, value.type, columnTypes);
    return calculation;
  }
  if (value.type !== undefined) throw validationError(`${path}.type`, 'only with "sql"');
  return { name, formula: filledText(`${path}.formula`, value.formula, MAX_QUERY_TEXT) };
}

const columnTypes: ColumnType[] = ['string', 'integer', 'number', 'boolean', 'date', 'datetime'];

function parseDimension(entry: unknown, path: string): QueryDimension {
  if (typeof entry === 'string') return { field: nonEmpty(path, entry) };
  const value = record(path, entry, ['field', 'granularity', 'bin', 'alias']);
  const dimension: QueryDimension = { field: filledText(`${path}.field`, value.field, MAX_QUERY_TEXT) };
  if (value.granularity !== undefined) {
    dimension.granularity = oneOf<Granularity>(`${path}.granularity`, value.granularity, granularities);
  }
  if (value.bin !== undefined && value.bin !== null) {
    if (dimension.granularity)
      throw validationError(`${path}.bin`, 'a dimension has a granularity or a bin, not both');
    dimension.bin = parseBin(value.bin, `${path}.bin`);
  }
  if (value.alias !== undefined) dimension.alias = filledText(`${path}.alias`, value.alias, MAX_QUERY_TEXT);
  return dimension;
}

function parseMetric(entry: unknown, path: string, variables: VariableValues): QueryMetric {
  const value = record(path, entry, [
    'field',
    'aggregation',
    'percentile',
    'metric',
    'name',
    'formula',
    'sql',
    'type',
    'alias',
    'filters',
  ]);
  const alias =
    value.alias === undefined ? undefined : filledText(`${path}.alias`, value.alias, MAX_QUERY_TEXT);
  const filters = optionalFilter(value.filters, `${path}.filters`, variables);
  if (value.formula !== undefined || value.sql !== undefined) {
    const key = value.formula !== undefined ? 'formula' : 'sql';
    if (value.formula !== undefined && value.sql !== undefined)
      throw validationError(path, 'give either "formula" or "sql", not both');
    if (alias !== undefined)
      throw validationError(`${path}.alias`, `a ${key} metric is named by "name", not "alias"`);
    if (filters) throw validationError(`${path}.filters`, `filter the metrics a ${key} uses instead`);
    const extra = ['field', 'aggregation', 'percentile', 'metric'].find((k) => value[k] !== undefined);
    if (extra !== undefined) throw validationError(`${path}.${extra}`, `does not apply to a ${key} metric`);
    const name = filledText(`${path}.name`, value.name, MAX_QUERY_TEXT);
    if (key === 'formula') {
      if (value.type !== undefined) throw validationError(`${path}.type`, 'only with "sql"');
      return { kind: 'formula', name, formula: filledText(`${path}.formula`, value.formula, MAX_QUERY_TEXT) };
    }
    const metric: QueryMetric = {
      kind: 'sql',
      name,
      sql: filledText(`${path}.sql`, value.sql, MAX_QUERY_TEXT),
    };
    if (value.type !== undefined)
      metric.type = oneOf<'number' | 'integer'>(`${path}.type`, value.type, ['number', 'integer']);
    return metric;
  }
  if (value.name !== undefined) throw validationError(`${path}.formula`, 'required with "name"');
  if (value.type !== undefined) throw validationError(`${path}.type`, 'only with "sql"');
  if (value.metric !== undefined) {
    if (value.field !== undefined || value.aggregation !== undefined) {
      throw validationError(path, 'give either "metric" or "field" with "aggregation", not both');
    }
    if (value.percentile !== undefined)
      throw validationError(`${path}.percentile`, 'only with "aggregation": "percentile"');
    const metric: QueryMetric = {
      kind: 'model',
      metric: filledText(`${path}.metric`, value.metric, MAX_QUERY_TEXT),
    };
    if (alias !== undefined) metric.alias = alias;
    if (filters) metric.filters = filters;
    return metric;
  }
  const aggregation = oneOf<Aggregation>(`${path}.aggregation`, value.aggregation, aggregations);
  if (value.field === undefined && aggregation !== 'count')
    throw validationError(`${path}.field`, 'required');
  const metric: QueryMetric = { kind: 'aggregate', aggregation };
  if (value.field !== undefined) metric.field = filledText(`${path}.field`, value.field, MAX_QUERY_TEXT);
  if (aggregation === 'percentile') {
    if (typeof value.percentile !== 'number' || !(value.percentile >= 0 && value.percentile <= 1))
      throw validationError(
        `${path}.percentile`,
        `expected a number from 0 to 1, got ${describe(value.percentile)}`,
      );
    metric.percentile = value.percentile;
  } else if (value.percentile !== undefined) {
    throw validationError(`${path}.percentile`, 'only with "aggregation": "percentile"');
  }
  if (alias !== undefined) metric.alias = alias;
  if (filters) metric.filters = filters;
  return metric;
}

function parseFilter(entry: unknown, path: string, depth: number, variables: VariableValues): FilterNode {
  if (depth > maxFilterDepth)
    throw validationError(path, `filters nest deeper than ${maxFilterDepth} levels`);
  const value = record(path, entry, ['and', 'or', 'not', 'field', 'operator', 'values']);
  const groups = (['and', 'or', 'not'] as const).filter((key) => value[key] !== undefined);
  if (groups.length > 0) {
    if (groups.length > 1 || value.field !== undefined) {
      throw validationError(
        path,
        'a filter is either {"and": […]}, {"or": […]}, {"not": filter} or a rule {field, operator, values}',
      );
    }
    const key = groups[0];
    if (key === 'not') return { not: parseFilter(value.not, `${path}.not`, depth + 1, variables) };
    const children = array(`${path}.${key}`, value[key]).map((child, i) =>
      parseFilter(child, `${path}.${key}[${i}]`, depth + 1, variables),
    );
    return key === 'and' ? { and: children } : { or: children };
  }
  const attributes: string[] = [];
  const rule: FilterRule = {
    field: filledText(`${path}.field`, value.field, MAX_QUERY_TEXT),
    operator: oneOf<Operator>(`${path}.operator`, value.operator, operators),
    values:
      value.values === undefined
        ? []
        : array(`${path}.values`, value.values).flatMap((v, i) => {
            if (isVariableRef(v)) return substitute(v, variables, `${path}.values[${i}]`);
            if (!isAttributeRef(v)) return [scalar(`${path}.values[${i}]`, v)];
            attributes.push(attributeName(v, `${path}.values[${i}]`));
            return [];
          }),
  };
  if (attributes.length > 1) throw validationError(`${path}.values`, 'at most one {"attribute": …} per rule');
  if (attributes.length === 1) rule.attribute = attributes[0];
  return rule;
}

const isAttributeRef = (value: unknown): value is { attribute: unknown } =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && 'attribute' in value;

function attributeName(value: { attribute: unknown }, path: string): string {
  return filledText(`${path}.attribute`, record(path, value, ['attribute']).attribute, MAX_QUERY_TEXT);
}

function parseSort(entry: unknown, path: string): QuerySort {
  if (typeof entry === 'string') return { field: nonEmpty(path, entry), descending: false };
  const value = record(path, entry, ['field', 'descending']);
  return {
    field: filledText(`${path}.field`, value.field, MAX_QUERY_TEXT),
    descending: value.descending === undefined ? false : boolean(`${path}.descending`, value.descending),
  };
}
