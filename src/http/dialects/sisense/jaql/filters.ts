import { validationError } from '../../../../core/errors.ts';
import type { FilterNode, FilterRule, Operator, Period } from '../../../../core/query/ir.ts';
import type { JsonScalar } from '../../../../engines/types.ts';
import type { Dimtype } from '../elasticubes.ts';
import { jaqlDate, periodBounds, periodRule, relativePeriods, sisenseDateText } from './levels.ts';
import type { JaqlFilter } from './request.ts';

/**
 * JAQL filter objects (Sisense's JAQL reference) as IR filter nodes on one target: a field of the
 * model (WHERE) or a metric of the query (HAVING). `top` / `bottom` need the query around them
 * and are plan.ts's; `{all: true}` filters nothing (undefined).
 */

export interface FilterTarget {
  /** The model address of a field, or the result id of a metric. */
  field: string;
  dimtype: Dimtype;
  /** The level of a datetime attribute: members and bounds name its periods. */
  period?: Period;
}

/** Text comparisons: JAQL key → IR operator, and whether the rule is negated. */
const textRules: Record<string, { operator: Operator; negated?: boolean }> = {
  contains: { operator: 'contains' },
  doesntContain: { operator: 'not contains' },
  startsWith: { operator: 'starts with' },
  doesntStartWith: { operator: 'starts with', negated: true },
  endsWith: { operator: 'ends with' },
  doesntEndWith: { operator: 'ends with', negated: true },
};

/** Bounds: JAQL key → IR operator; on a levelled date, bounds name whole periods. */
const boundRules: Record<string, Operator> = { from: '>=', fromNotEqual: '>', to: '<=', toNotEqual: '<' };

const combinators = ['and', 'or'] as const;

/** A member or bound as the field's type takes it: numbers for numeric fields, dates as Sisense writes them. */
function scalarOf(value: unknown, target: FilterTarget, path: string): JsonScalar {
  if (target.dimtype === 'numeric') {
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number))
      throw validationError(path, 'must be a number');
    return number;
  }
  if (target.dimtype === 'datetime') return sisenseDateText(jaqlDate(value, path));
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
    throw validationError(path, 'must be a text value');
  return String(value);
}

const rule = (field: string, operator: Operator, values: JsonScalar[]): FilterRule => ({
  field,
  operator,
  values,
});

/** An empty member list keeps no row (as `in` an empty list would): null and not null at once. */
const noRow = (field: string): FilterNode => ({
  and: [rule(field, 'null', []), rule(field, 'not null', [])],
});

function membersRule(members: unknown, target: FilterTarget, path: string): FilterNode {
  if (!Array.isArray(members)) throw validationError(path, 'must be an array of members');
  if (members.length === 0) return noRow(target.field);
  const { period } = target;
  if (period) {
    const periods = members.map((member, i) => periodRule(target.field, member, period, `${path}[${i}]`));
    return periods.length === 1 ? periods[0] : { or: periods };
  }
  const values = members.map((member, i) => scalarOf(member, target, `${path}[${i}]`));
  return rule(target.field, 'in', values);
}

/**
 * `from` … `toNotEqual` as rules. On a levelled date a bound names a whole period: `from` starts
 * with it, `fromNotEqual` after it, `to` ends with it, `toNotEqual` before it.
 */
function boundsRules(filter: JaqlFilter, target: FilterTarget, path: string): FilterNode[] {
  return Object.entries(boundRules).flatMap(([key, operator]): FilterNode[] => {
    if (!(key in filter)) return [];
    const at = `${path}.${key}`;
    if (!target.period) return [rule(target.field, operator, [scalarOf(filter[key], target, at)])];
    const { start, end } = periodBounds(filter[key], target.period, at);
    const bound = key === 'from' || key === 'toNotEqual' ? start : end;
    return [rule(target.field, key.startsWith('from') ? '>=' : '<', [bound])];
  });
}

function relativeRule(filter: JaqlFilter, target: FilterTarget, path: string): FilterNode {
  const direction = 'last' in filter ? 'last' : 'next';
  const spec = filter[direction] as Record<string, unknown> | undefined;
  const at = `${path}.${direction}`;
  if (!target.period) throw validationError(at, 'needs a datetime attribute with a level');
  if (typeof spec !== 'object' || spec === null) throw validationError(at, 'must be {count, offset}');
  const count = spec.count;
  const offset = spec.offset ?? 0;
  if (!Number.isInteger(count) || (count as number) < 1)
    throw validationError(`${at}.count`, 'must be a whole number from 1');
  if (!Number.isInteger(offset) || (offset as number) < 0)
    throw validationError(`${at}.offset`, 'must be a whole number from 0');
  return relativePeriods(target.field, direction, count as number, offset as number, target.period);
}

const conjunction = (nodes: FilterNode[]): FilterNode | undefined =>
  nodes.length === 0 ? undefined : nodes.length === 1 ? nodes[0] : { and: nodes };

/** The filter as an IR node on `target`; undefined when it keeps every row. */
export function mapJaqlFilter(
  filter: JaqlFilter,
  target: FilterTarget,
  path: string,
): FilterNode | undefined {
  for (const combinator of combinators) {
    if (!(combinator in filter)) continue;
    const parts = filter[combinator];
    if (!Array.isArray(parts) || parts.length === 0)
      throw validationError(`${path}.${combinator}`, 'must be a non-empty array of filters');
    const nodes = parts.flatMap((part, i) => {
      const at = `${path}.${combinator}[${i}]`;
      if (typeof part !== 'object' || part === null) throw validationError(at, 'must be a filter object');
      const node = mapJaqlFilter(part as JaqlFilter, target, at);
      return node ? [node] : [];
    });
    if (nodes.length < parts.length && combinator === 'or') return undefined; // an `all` member
    return combinator === 'and' ? conjunction(nodes) : { or: nodes };
  }
  if ('top' in filter || 'bottom' in filter)
    throw validationError(path, 'top and bottom filters apply to a selected attribute, on their own');
  const nodes: FilterNode[] = [];
  if (filter.all === true) return undefined;
  if ('members' in filter) nodes.push(membersRule(filter.members, target, `${path}.members`));
  if ('exclude' in filter) {
    const exclude = filter.exclude;
    if (typeof exclude !== 'object' || exclude === null)
      throw validationError(`${path}.exclude`, 'must be a filter object');
    const excluded = mapJaqlFilter(exclude as JaqlFilter, target, `${path}.exclude`);
    if (excluded) nodes.push(isMembers(excluded) ? { ...excluded, operator: 'not in' } : { not: excluded });
  }
  if ('equals' in filter)
    nodes.push(rule(target.field, '=', [scalarOf(filter.equals, target, `${path}.equals`)]));
  if ('doesntEqual' in filter)
    nodes.push(rule(target.field, '!=', [scalarOf(filter.doesntEqual, target, `${path}.doesntEqual`)]));
  for (const [key, { operator, negated }] of Object.entries(textRules)) {
    if (!(key in filter)) continue;
    const value = filter[key];
    if (typeof value !== 'string') throw validationError(`${path}.${key}`, 'must be a text value');
    const node = rule(target.field, operator, [value]);
    nodes.push(negated ? { not: node } : node);
  }
  nodes.push(...boundsRules(filter, target, path));
  if ('last' in filter || 'next' in filter) nodes.push(relativeRule(filter, target, path));
  if (nodes.length === 0)
    throw validationError(path, `unsupported filter (keys: ${Object.keys(filter).join(', ') || 'none'})`);
  return conjunction(nodes);
}

const isMembers = (node: FilterNode): node is FilterRule => 'operator' in node && node.operator === 'in';
