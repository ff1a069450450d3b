import { type RosettaError, validationError } from '../../../core/errors.ts';
import type { FilterNode, FilterRule } from '../../../core/query/index.ts';
import type { JsonScalar } from '../../../engines/types.ts';
import type { DimensionType, TimeInterval } from './explores.ts';

/**
 * Lightdash filter groups and rules (spec §3.5) as the query core's filter conditions: every
 * operator against the field's type, relative dates, and rules on time buckets by their bounds.
 */

/** The reason a Lightdash client reads as `FieldReferenceError`. */
export const unknownField = (path: string, id: string): RosettaError =>
  validationError(path, `unknown field id ${JSON.stringify(id)}`, 'query.unknown_field');

export type Target = { field: string; type: DimensionType; interval?: TimeInterval };
export type TargetOf = (fieldId: string, path: string) => Target;

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

export function asRecord(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw validationError(path, 'must be an object');
  return value as Record<string, unknown>;
}

/** A FilterGroup (recursive `and`/`or`) as an IR filter; empty groups and disabled rules add nothing. */
export function filterTree(
  value: unknown,
  path: string,
  targetOf: TargetOf,
  depth = 0,
): FilterNode | undefined {
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

export function filterRule(
  rule: Record<string, unknown>,
  path: string,
  targetOf: TargetOf,
): FilterNode | undefined {
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
