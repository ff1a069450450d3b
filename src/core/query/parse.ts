import type { ColumnType, JsonScalar } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import {
  aggregations,
  type Bin,
  type FilterNode,
  type FilterRule,
  type Granularity,
  granularities,
  type Operator,
  operators,
  type Pivot,
  type PostCalculation,
  postTypes,
  type QueryCalculation,
  type QueryDimension,
  type QueryIr,
  type QueryMetric,
  type QuerySort,
  type TopN,
  type Totals,
} from './ir.ts';
import type { Aggregation } from './model.ts';
import { isVariableRef, parseVariables, substitute, type VariableValues } from './variables.ts';
import { canonicalTimeZone } from './zone.ts';

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

type Json = Record<string, unknown>;

/** Deeper filter trees are refused: nobody writes them by hand and they could exhaust the stack. */
const maxFilterDepth = 32;

export function parseQueryBody(body: unknown): ParsedQuery {
  const root = object(body, 'body', [
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
  const source = string(root.source, 'source');
  const calculations = list(root.calculations, 'calculations').map((entry, i) =>
    parseCalculation(entry, `calculations[${i}]`),
  );
  return {
    source,
    ir: {
      ...(calculations.length > 0 && { calculations }),
      dimensions: list(root.dimensions, 'dimensions').map((entry, i) =>
        parseDimension(entry, `dimensions[${i}]`),
      ),
      metrics: list(root.metrics, 'metrics').map((entry, i) =>
        parseMetric(entry, `metrics[${i}]`, variables),
      ),
      filters: optionalFilter(root.filters, 'filters', variables),
      ...optional('metricFilters', optionalFilter(root.metricFilters, 'metricFilters', variables)),
      ...optional('postFilters', optionalFilter(root.postFilters, 'postFilters', variables)),
      ...optional(
        'post',
        root.post === undefined || root.post === null
          ? undefined
          : array(root.post, 'post').map((entry, i) => parsePost(entry, `post[${i}]`)),
      ),
      ...optional('top', root.top === undefined || root.top === null ? undefined : parseTop(root.top)),
      ...optional('totals', parseTotals(root.totals)),
      ...optional(
        'pivot',
        root.pivot === undefined || root.pivot === null ? undefined : parsePivot(root.pivot),
      ),
      ...optional('timezone', root.timezone === undefined ? undefined : timezone(root.timezone)),
      ...optional(
        'weekStart',
        root.weekStart === undefined ? undefined : integerIn(root.weekStart, 'weekStart', 1, 7),
      ),
      sorts: list(root.sorts, 'sorts').map((entry, i) => parseSort(entry, `sorts[${i}]`)),
      limit: root.limit === undefined || root.limit === null ? undefined : count(root.limit, 'limit'),
      offset: root.offset === undefined || root.offset === null ? 0 : count(root.offset, 'offset'),
      aggregate: root.aggregate === undefined ? true : boolean(root.aggregate, 'aggregate'),
    },
    count: root.count === undefined ? false : boolean(root.count, 'count'),
  };
}

/** `{key: value}` when the value is present, so absent options stay absent in the IR. */
const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  value === undefined ? {} : ({ [key]: value } as Record<K, V>);

const optionalFilter = (value: unknown, path: string, variables: VariableValues): FilterNode | undefined =>
  value === undefined || value === null ? undefined : parseFilter(value, path, 0, variables);

function parseCalculation(entry: unknown, path: string): QueryCalculation {
  const value = object(entry, path, ['name', 'formula', 'sql', 'type']);
  const name = string(value.name, `${path}.name`);
  if (value.sql !== undefined) {
    if (value.formula !== undefined) throw validationError(path, 'give either "formula" or "sql", not both');
    const calculation: QueryCalculation = { name, sql: string(value.sql, `${path}.sql`) };
    if (value.type !== undefined)
      calculation.type = oneOf<ColumnType>(value.type, `${path}.type`, columnTypes, 'type');
    return calculation;
  }
  if (value.type !== undefined) throw validationError(`${path}.type`, 'only with "sql"');
  return { name, formula: string(value.formula, `${path}.formula`) };
}

const columnTypes: ColumnType[] = ['string', 'integer', 'number', 'boolean', 'date', 'datetime'];

function parsePost(entry: unknown, path: string): PostCalculation {
  const value = object(entry, path, ['id', 'type', 'of', 'partitionBy', 'ascending', 'formula']);
  const id = string(value.id, `${path}.id`);
  const type = oneOf<PostCalculation['type']>(value.type, `${path}.type`, postTypes, 'type');
  const refuse = (keys: string[]) => {
    const extra = keys.find((key) => value[key] !== undefined);
    if (extra !== undefined) throw validationError(`${path}.${extra}`, `does not apply to "${type}"`);
  };
  if (type === 'formula') {
    refuse(['of', 'partitionBy', 'ascending']);
    return { id, type, formula: string(value.formula, `${path}.formula`) };
  }
  refuse(['formula']);
  const of = string(value.of, `${path}.of`);
  if (type === 'previous_period' || type === 'difference' || type === 'percent_change') {
    refuse(['partitionBy', 'ascending']);
    return { id, type, of };
  }
  const calculation: PostCalculation = { id, type, of };
  if (value.partitionBy !== undefined && value.partitionBy !== null) {
    calculation.partitionBy = array(value.partitionBy, `${path}.partitionBy`).map((item, i) =>
      string(item, `${path}.partitionBy[${i}]`),
    );
  }
  if (value.ascending !== undefined) {
    if (type !== 'rank') throw validationError(`${path}.ascending`, 'only for "rank"');
    calculation.ascending = boolean(value.ascending, `${path}.ascending`);
  }
  return calculation;
}

function parseTop(entry: unknown): TopN {
  const value = object(entry, 'top', ['dimension', 'by', 'n', 'others', 'bottom']);
  const top: TopN = {
    dimension: string(value.dimension, 'top.dimension'),
    by: string(value.by, 'top.by'),
    n: integerIn(value.n, 'top.n', 1, maxTopN),
  };
  if (value.others !== undefined) top.others = boolean(value.others, 'top.others');
  if (value.bottom !== undefined) top.bottom = boolean(value.bottom, 'top.bottom');
  return top;
}

/** More than this many kept values is a chart nobody reads; the bound keeps the SQL small. */
const maxTopN = 10_000;

function parseTotals(entry: unknown): Totals | undefined {
  if (entry === undefined || entry === null || entry === false) return undefined;
  if (entry === true) return {};
  const value = object(entry, 'totals', ['subtotals']);
  const totals: Totals = {};
  if (value.subtotals !== undefined && value.subtotals !== null) {
    totals.subtotals = array(value.subtotals, 'totals.subtotals').map((item, i) =>
      string(item, `totals.subtotals[${i}]`),
    );
  }
  return totals;
}

/** The most columns a pivot may spread into (values × metrics). */
export const maxPivotColumns = 500;

function parsePivot(entry: unknown): Pivot {
  const value = object(entry, 'pivot', ['columns', 'maxColumns']);
  const columns = array(value.columns, 'pivot.columns').map((item, i) => string(item, `pivot.columns[${i}]`));
  if (columns.length === 0) throw validationError('pivot.columns', 'name at least one dimension');
  const pivot: Pivot = { columns };
  if (value.maxColumns !== undefined)
    pivot.maxColumns = integerIn(value.maxColumns, 'pivot.maxColumns', 1, maxPivotColumns);
  return pivot;
}

/** An IANA zone the runtime knows (`Europe/Paris`, `UTC`); engines are asked for the same name. */
function timezone(value: unknown): string {
  const zone = string(value, 'timezone');
  if (canonicalTimeZone(zone) === undefined) {
    throw validationError(
      'timezone',
      `unknown time zone ${JSON.stringify(zone)} (expected an IANA name such as "Europe/Paris")`,
    );
  }
  return zone;
}

function integerIn(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw validationError(path, `expected an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

function parseDimension(entry: unknown, path: string): QueryDimension {
  if (typeof entry === 'string') return { field: nonEmpty(entry, path) };
  const value = object(entry, path, ['field', 'granularity', 'bin', 'alias']);
  const dimension: QueryDimension = { field: string(value.field, `${path}.field`) };
  if (value.granularity !== undefined) {
    dimension.granularity = oneOf<Granularity>(
      value.granularity,
      `${path}.granularity`,
      granularities,
      'granularity',
    );
  }
  if (value.bin !== undefined && value.bin !== null) {
    if (dimension.granularity)
      throw validationError(`${path}.bin`, 'a dimension has a granularity or a bin, not both');
    dimension.bin = parseBin(value.bin, `${path}.bin`);
  }
  if (value.alias !== undefined) dimension.alias = string(value.alias, `${path}.alias`);
  return dimension;
}

/** The most custom ranges a bin takes. */
const maxBinRanges = 100;

function parseBin(entry: unknown, path: string): Bin {
  const value = object(entry, path, ['width', 'offset', 'ranges']);
  if (value.ranges !== undefined) {
    if (value.width !== undefined || value.offset !== undefined)
      throw validationError(path, 'give either "width" (and "offset") or "ranges"');
    const ranges = array(value.ranges, `${path}.ranges`);
    if (ranges.length === 0 || ranges.length > maxBinRanges)
      throw validationError(`${path}.ranges`, `expected 1 to ${maxBinRanges} ranges, got ${ranges.length}`);
    return {
      ranges: ranges.map((item, i) => {
        const at = `${path}.ranges[${i}]`;
        const range = object(item, at, ['from', 'to', 'label']);
        const bound = (key: 'from' | 'to') =>
          range[key] === undefined || range[key] === null ? undefined : finite(range[key], `${at}.${key}`);
        const from = bound('from');
        const to = bound('to');
        if (from === undefined && to === undefined) throw validationError(at, 'give "from", "to" or both');
        if (from !== undefined && to !== undefined && from >= to)
          throw validationError(`${at}.to`, `must be above "from" (${from}), got ${to}`);
        return {
          ...(from !== undefined && { from }),
          ...(to !== undefined && { to }),
          ...(range.label !== undefined && { label: string(range.label, `${at}.label`) }),
        };
      }),
    };
  }
  const width = finite(value.width, `${path}.width`);
  if (width <= 0) throw validationError(`${path}.width`, `must be above 0, got ${width}`);
  return value.offset === undefined ? { width } : { width, offset: finite(value.offset, `${path}.offset`) };
}

function finite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw validationError(path, `expected a number, got ${describe(value)}`);
  return value;
}

function parseMetric(entry: unknown, path: string, variables: VariableValues): QueryMetric {
  const value = object(entry, path, [
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
  const alias = value.alias === undefined ? undefined : string(value.alias, `${path}.alias`);
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
    const name = string(value.name, `${path}.name`);
    if (key === 'formula') {
      if (value.type !== undefined) throw validationError(`${path}.type`, 'only with "sql"');
      return { kind: 'formula', name, formula: string(value.formula, `${path}.formula`) };
    }
    const metric: QueryMetric = { kind: 'sql', name, sql: string(value.sql, `${path}.sql`) };
    if (value.type !== undefined)
      metric.type = oneOf<'number' | 'integer'>(value.type, `${path}.type`, ['number', 'integer'], 'type');
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
    const metric: QueryMetric = { kind: 'model', metric: string(value.metric, `${path}.metric`) };
    if (alias !== undefined) metric.alias = alias;
    if (filters) metric.filters = filters;
    return metric;
  }
  const aggregation = oneOf<Aggregation>(
    value.aggregation,
    `${path}.aggregation`,
    aggregations,
    'aggregation',
  );
  if (value.field === undefined && aggregation !== 'count')
    throw validationError(`${path}.field`, 'required');
  const metric: QueryMetric = { kind: 'aggregate', aggregation };
  if (value.field !== undefined) metric.field = string(value.field, `${path}.field`);
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
  const value = object(entry, path, ['and', 'or', 'not', 'field', 'operator', 'values']);
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
    const children = array(value[key], `${path}.${key}`).map((child, i) =>
      parseFilter(child, `${path}.${key}[${i}]`, depth + 1, variables),
    );
    return key === 'and' ? { and: children } : { or: children };
  }
  const attributes: string[] = [];
  const rule: FilterRule = {
    field: string(value.field, `${path}.field`),
    operator: oneOf<Operator>(value.operator, `${path}.operator`, operators, 'operator'),
    values:
      value.values === undefined
        ? []
        : array(value.values, `${path}.values`).flatMap((v, i) => {
            if (isVariableRef(v)) return substitute(v, variables, `${path}.values[${i}]`);
            if (!isAttributeRef(v)) return [scalar(v, `${path}.values[${i}]`)];
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
  return string(object(value, path, ['attribute']).attribute, `${path}.attribute`);
}

function parseSort(entry: unknown, path: string): QuerySort {
  if (typeof entry === 'string') return { field: nonEmpty(entry, path), descending: false };
  const value = object(entry, path, ['field', 'descending']);
  return {
    field: string(value.field, `${path}.field`),
    descending: value.descending === undefined ? false : boolean(value.descending, `${path}.descending`),
  };
}

function object(value: unknown, path: string, keys: readonly string[]): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationError(path, `expected an object, got ${describe(value)}`);
  }
  // Unknown keys are refused so that a typo ("granularty") is a 400, not a silently ignored option.
  const unknown = Object.keys(value).find((key) => !keys.includes(key));
  if (unknown !== undefined) throw validationError(`${path}.${unknown}`, 'unknown property');
  return value as Json;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw validationError(path, `expected an array, got ${describe(value)}`);
  return value;
}

const list = (value: unknown, path: string): unknown[] =>
  value === undefined || value === null ? [] : array(value, path);

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') throw validationError(path, `expected a string, got ${describe(value)}`);
  return nonEmpty(value, path);
}

function nonEmpty(value: string, path: string): string {
  if (value.trim() === '') throw validationError(path, 'must not be empty');
  return value;
}

function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean')
    throw validationError(path, `expected true or false, got ${describe(value)}`);
  return value;
}

function count(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw validationError(path, `expected a non-negative integer, got ${describe(value)}`);
  }
  return value;
}

function scalar(value: unknown, path: string): JsonScalar {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value as JsonScalar;
  throw validationError(path, `expected a string, number, boolean or null, got ${describe(value)}`);
}

function oneOf<T extends string>(value: unknown, path: string, allowed: readonly string[], what: string): T {
  if (typeof value === 'string' && allowed.includes(value)) return value as T;
  if (typeof value !== 'string') throw validationError(path, `expected a string, got ${describe(value)}`);
  throw validationError(
    path,
    `unknown ${what} ${JSON.stringify(value)} (expected one of ${allowed.join(', ')})`,
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
