import type { JsonScalar } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import {
  aggregations,
  type FilterNode,
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
      metrics: list(root.metrics, 'metrics').map((entry, i) => parseMetric(entry, `metrics[${i}]`)),
      filters:
        root.filters === undefined || root.filters === null
          ? undefined
          : parseFilter(root.filters, 'filters', 0, variables),
      sorts: list(root.sorts, 'sorts').map((entry, i) => parseSort(entry, `sorts[${i}]`)),
      limit: root.limit === undefined || root.limit === null ? undefined : count(root.limit, 'limit'),
      offset: root.offset === undefined || root.offset === null ? 0 : count(root.offset, 'offset'),
      aggregate: root.aggregate === undefined ? true : boolean(root.aggregate, 'aggregate'),
    },
    count: root.count === undefined ? false : boolean(root.count, 'count'),
  };
}

function parseCalculation(entry: unknown, path: string): QueryCalculation {
  const value = object(entry, path, ['name', 'formula']);
  return { name: string(value.name, `${path}.name`), formula: string(value.formula, `${path}.formula`) };
}

function parseDimension(entry: unknown, path: string): QueryDimension {
  if (typeof entry === 'string') return { field: nonEmpty(entry, path) };
  const value = object(entry, path, ['field', 'granularity', 'alias']);
  const dimension: QueryDimension = { field: string(value.field, `${path}.field`) };
  if (value.granularity !== undefined) {
    dimension.granularity = oneOf<Granularity>(
      value.granularity,
      `${path}.granularity`,
      granularities,
      'granularity',
    );
  }
  if (value.alias !== undefined) dimension.alias = string(value.alias, `${path}.alias`);
  return dimension;
}

function parseMetric(entry: unknown, path: string): QueryMetric {
  const value = object(entry, path, ['field', 'aggregation', 'metric', 'name', 'formula', 'alias']);
  const alias = value.alias === undefined ? undefined : string(value.alias, `${path}.alias`);
  if (value.formula !== undefined) {
    if (alias !== undefined)
      throw validationError(`${path}.alias`, 'a formula is named by "name", not "alias"');
    return {
      kind: 'formula',
      name: string(value.name, `${path}.name`),
      formula: string(value.formula, `${path}.formula`),
    };
  }
  if (value.name !== undefined) throw validationError(`${path}.formula`, 'required with "name"');
  if (value.metric !== undefined) {
    if (value.field !== undefined || value.aggregation !== undefined) {
      throw validationError(path, 'give either "metric" or "field" with "aggregation", not both');
    }
    const metric: QueryMetric = { kind: 'model', metric: string(value.metric, `${path}.metric`) };
    if (alias !== undefined) metric.alias = alias;
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
  if (alias !== undefined) metric.alias = alias;
  return metric;
}

function parseFilter(entry: unknown, path: string, depth: number, variables: VariableValues): FilterNode {
  if (depth > maxFilterDepth)
    throw validationError(path, `filters nest deeper than ${maxFilterDepth} levels`);
  const value = object(entry, path, ['and', 'or', 'field', 'operator', 'values']);
  const groups = (['and', 'or'] as const).filter((key) => value[key] !== undefined);
  if (groups.length > 0) {
    if (groups.length > 1 || value.field !== undefined) {
      throw validationError(
        path,
        'a filter is either {"and": […]}, {"or": […]} or a rule {field, operator, values}',
      );
    }
    const key = groups[0];
    const children = array(value[key], `${path}.${key}`).map((child, i) =>
      parseFilter(child, `${path}.${key}[${i}]`, depth + 1, variables),
    );
    return key === 'and' ? { and: children } : { or: children };
  }
  return {
    field: string(value.field, `${path}.field`),
    operator: oneOf<Operator>(value.operator, `${path}.operator`, operators, 'operator'),
    values:
      value.values === undefined
        ? []
        : array(value.values, `${path}.values`).flatMap((v, i) =>
            isVariableRef(v)
              ? substitute(v, variables, `${path}.values[${i}]`)
              : [scalar(v, `${path}.values[${i}]`)],
          ),
  };
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
