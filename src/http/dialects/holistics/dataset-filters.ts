import { validationError } from '../../../core/errors.ts';
import type { FilterNode, FilterRule, Operator } from '../../../core/query/index.ts';
import { periods } from '../../../core/query/index.ts';
import type { JsonScalar } from '../../../engines/types.ts';

/**
 * Holistics dataset-query filters (`Filter` schema) as query-core filter rules. Every documented
 * operator either maps onto the IR or is a 422 naming `query.filters[i].operator`: a filter is
 * never silently dropped (only `none` and `transform_pop_none`, which Holistics documents as
 * having no effect). Period-over-period and date drill are not row filters: `dataset-query.ts`
 * reads them (`transformOf`) before the filters are mapped.
 */

export type ConditionValue = string | number | boolean;

export interface HolisticsFilter {
  field: string;
  operator: string;
  modifier?: string | null;
  values: ConditionValue[];
}

type Period = (typeof periods)[number];

/** A filter mapped onto the IR, or `skip` for the operators that change no row. */
export type MappedFilter = FilterNode | 'skip';

const comparisons: Record<string, Operator> = {
  is: 'in',
  is_not: 'not in',
  greater_than: '>',
  less_than: '<',
  before: '<',
  after: '>',
  between: 'between',
  contains: 'contains',
  does_not_contain: 'not contains',
  starts_with: 'starts with',
  ends_with: 'ends with',
};

/** Operators that are transformations of the query, not conditions on rows. */
export const transformOperators = new Set([
  'transform_pop_relative',
  'transform_pop_absolute',
  'transform_date_drill',
]);

const periodOf = (word: string): Period | undefined => {
  const singular = word.toLowerCase().replace(/s$/, '');
  return (periods as readonly string[]).includes(singular) ? (singular as Period) : undefined;
};

/** A whole number ≥ 1 from a condition value (`2` or `"2"`). */
export function countOf(value: ConditionValue | undefined, path: string): number {
  const number = typeof value === 'string' && /^\d{1,9}$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1)
    throw validationError(path, `expected a whole number from 1, got ${JSON.stringify(value)}`);
  return number;
}

const relative = (field: string, values: JsonScalar[]): FilterRule => ({
  field,
  operator: 'relative',
  values,
});

/**
 * `matches`: Holistics' natural-language dates, as far as the IR's calendar periods reach:
 * `today`, `yesterday`, `tomorrow`, `this|current <period>`, `last|past|previous [n] <period>s`,
 * `next [n] <period>s`, `<n> <period>s ago` (that one period) and `<n> <period>s from now`.
 * Anything else is a 422: a guess would filter the wrong rows.
 */
export function matchesFilter(field: string, text: string, path: string): FilterNode {
  const words = text.trim().toLowerCase().split(/\s+/);
  const phrase = words.join(' ');
  if (phrase === 'today') return relative(field, ['this', 'day']);
  if (phrase === 'yesterday') return relative(field, ['last', 1, 'day']);
  if (phrase === 'tomorrow') return relative(field, ['next', 1, 'day']);
  const period = periodOf(words[words.length - 1] ?? '');
  const [first, second] = words;
  if (words.length === 2 && (first === 'this' || first === 'current') && period)
    return relative(field, ['this', period]);
  const direction = ['last', 'past', 'previous'].includes(first)
    ? 'last'
    : first === 'next'
      ? 'next'
      : undefined;
  if (direction && period && (words.length === 2 || (words.length === 3 && /^\d{1,6}$/.test(second))))
    return relative(field, [direction, words.length === 3 ? Number(second) : 1, period]);
  const ago = /^(\d{1,6}) (\w+) (ago|from now)$/.exec(phrase);
  const agoPeriod = ago && periodOf(ago[2]);
  if (ago && agoPeriod) {
    const n = Number(ago[1]);
    const way = ago[3] === 'ago' ? 'last' : 'next';
    if (n === 0) return relative(field, ['this', agoPeriod]);
    // The n-th period back is in the last n periods but not in the last n − 1.
    const within = relative(field, [way, n, agoPeriod]);
    return n === 1 ? within : { and: [within, { not: relative(field, [way, n - 1, agoPeriod]) }] };
  }
  throw validationError(
    `${path}.values[0]`,
    `cannot read ${JSON.stringify(text)} as a date range: write "today", "this month", "last 3 days", "next 2 weeks" or "2 months ago"`,
  );
}

/** One Holistics filter on the dataset field whose model address is `field`. */
export function mapFilter(filter: HolisticsFilter, field: string, path: string): MappedFilter {
  const { operator, values } = filter;
  const comparison = comparisons[operator];
  if (comparison) return { field, operator: comparison, values };
  switch (operator) {
    case 'none':
    case 'transform_pop_none':
      return 'skip';
    case 'is_null':
      return { field, operator: 'null', values: [] };
    case 'not_null':
      return { field, operator: 'not null', values: [] };
    case 'is_true':
      return { field, operator: '=', values: [true] };
    case 'is_false':
      return { field, operator: '=', values: [false] };
    case 'last':
    case 'next': {
      const period = periodOf(String(filter.modifier ?? ''));
      if (!period) throw validationError(`${path}.modifier`, `expected a period among ${periods.join(', ')}`);
      return relative(field, [operator, countOf(values[0], `${path}.values[0]`), period]);
    }
    case 'matches':
      if (typeof values[0] !== 'string')
        throw validationError(`${path}.values[0]`, 'expected a text like "last 3 days"');
      return matchesFilter(field, values[0], path);
    case 'matches_user_attribute': {
      if (values.length === 0) throw validationError(`${path}.values`, 'name at least one user attribute');
      const rules = values.map(
        (attribute): FilterRule => ({ field, operator: 'in', values: [], attribute: String(attribute) }),
      );
      return rules.length === 1 ? rules[0] : { or: rules };
    }
    default:
      throw validationError(`${path}.operator`, `operator ${JSON.stringify(operator)} is not supported here`);
  }
}
