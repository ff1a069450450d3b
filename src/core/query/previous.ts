import type { ColumnType, JsonScalar } from '../../engines/types.ts';
import { relativeBounds, type SqlContext } from './conditions.ts';
import type { Period } from './ir.ts';
import { shift, startOf } from './relative.ts';
import { type SelectRenderer, topRewrite } from './top-n.ts';
import type { Condition, ResolvedQuery } from './validate.ts';
import { periodDimension, type ResolvedPost } from './validate-post.ts';
import { formatTimestamp } from './values.ts';
import { instantOf, wallOf } from './zone.ts';

/**
 * Where previous-period calculations (post.ts) read the value one period back. `__base` holds the
 * groups the query shows, so a filter on the period's date field (`this year`, a `between`) would
 * leave the first shown period without a previous value: January's previous month lies outside
 * `this year`. The previous values come instead from `__previous`, the grouped query with the
 * rules on that field removed from the top-level AND of the WHERE — "the metric one period
 * earlier" whatever the date filter, as Holistics' period comparison and Sisense's PASTMONTH give
 * it. A previous period is thus always the whole period, also where the filter cuts the shown one
 * short. Row policies always stay. A rule on the field inside an `or` or a `not` stays too: what
 * it lets through cannot be told apart from the other branches, so there the first period keeps
 * an empty previous value.
 *
 * `__previous` has no HAVING (a metric filter chooses the groups shown, not the values a shown
 * group compares with; top N ranks without it too) and folds `Others` as `__base` does, by the
 * same ranking, so the `Others` row compares with the same values one period back. A top N
 * without `others` does not restrict it: the previous month of a kept month counts, kept or not.
 */

export const PREVIOUS = '__previous';

export const previousTypes: ReadonlyArray<ResolvedPost['type']> = [
  'previous_period',
  'difference',
  'percent_change',
];

/**
 * The body of `__previous`, or undefined when `__base` already holds every group it would (no
 * date rule removed, no HAVING, no top N dropping values): then `__base` is joined to itself, as
 * cheap as before.
 */
export function previousStage(
  ctx: SqlContext,
  query: ResolvedQuery,
  select: SelectRenderer,
): string[] | undefined {
  const period = periodDimension(query);
  const of = new Set(
    (query.post ?? []).flatMap((c) => (previousTypes.includes(c.type) && 'of' in c ? [c.of] : [])),
  );
  if (!period || of.size === 0) return undefined;
  const conjuncts = conjunctsOf(query.where);
  const onPeriod = conjuncts.filter((c) => isPeriodRule(c, period));
  const dropsTop = query.top !== undefined && !query.top.others;
  if (onPeriod.length === 0 && !query.having && !query.keptGroups && !dropsTop) return undefined;
  const bounds = onPeriod.flatMap((rule) => neededRows(ctx, rule, period));
  const where = [...conjuncts.filter((c) => !isPeriodRule(c, period)), ...bounds];
  const previous: ResolvedQuery = {
    ...query,
    metrics: query.metrics.filter((m) => of.has(m.name)),
    where: where.length > 1 ? { kind: 'and', children: where } : where[0],
    having: undefined,
    keptGroups: undefined,
    post: undefined,
    postWhere: undefined,
    sorts: [],
  };
  return select(previous, query.top?.others ? topRewrite(ctx, query, query.top) : undefined);
}

/** The top-level AND of a condition, nested ANDs flattened. */
const conjunctsOf = (condition: Condition | undefined): Condition[] =>
  !condition ? [] : condition.kind === 'and' ? condition.children.flatMap(conjunctsOf) : [condition];

type Rule = Extract<Condition, { kind: 'rule' }>;
type PeriodDimension = NonNullable<ReturnType<typeof periodDimension>>;

const isPeriodRule = (condition: Condition, period: PeriodDimension): condition is Rule =>
  condition.kind === 'rule' &&
  !condition.policy &&
  condition.target.kind === 'field' &&
  condition.target.field.address === period.field.address;

/**
 * What stands for a removed rule in `__previous`, so it reads only the periods a shown period can
 * step back to (correct without it; cheaper with it). A shown row is in the rule's range; its
 * period steps back to a period that starts no earlier than the period before the range's
 * lower bound, and ends before the range's upper bound. So a lower bound becomes "from the
 * start of the period before the bound's period on", an upper bound is kept, and a rule without
 * bounds (`!=`, `not null`) becomes nothing.
 */
function neededRows(ctx: SqlContext, rule: Rule, period: PeriodDimension): Condition[] {
  const { target, values } = rule;
  const type = period.field.type;
  const from = (bound: JsonScalar): Condition => ({
    kind: 'rule',
    target,
    operator: '>=',
    values: [periodBefore(String(bound), type, period.granularity, ctx)],
  });
  const upTo = (operator: '<' | '<=', bound: JsonScalar): Condition => ({
    kind: 'rule',
    target,
    operator,
    values: [bound],
  });
  switch (rule.operator) {
    case '<':
    case '<=':
      return [rule];
    case '>':
    case '>=':
      return [from(values[0])];
    case 'between':
      return [from(values[0]), upTo('<=', values[1])];
    case '=':
    case 'in': {
      // Canonical dates and date-times (values.ts) sort as text in time order.
      const sorted = values.map(String).sort();
      return [from(sorted[0]), upTo('<=', sorted[sorted.length - 1])];
    }
    case 'relative': {
      // The removed rule's own bounds, from the same clock.
      const { start, end } = relativeBounds(ctx, rule.relative!, type);
      return [from(start), upTo('<', end)];
    }
    default:
      return [];
  }
}

/**
 * The start of the period before the one holding `value` (a canonical date or UTC date-time),
 * as the period dimension buckets it: a date as it is, a date-time on the wall clock of the
 * query's zone (dimension-sql.ts), its start turned back into the first UTC instant showing it.
 */
function periodBefore(value: string, type: ColumnType, granularity: Period, ctx: SqlContext): string {
  const { timeZone, weekStart } = ctx.calendar;
  const before = (wall: Date): Date => shift(startOf(granularity, wall, weekStart), granularity, -1);
  if (type === 'date')
    return before(new Date(`${value}T00:00:00Z`))
      .toISOString()
      .slice(0, 10);
  const wall = wallOf(timeZone, Date.parse(`${value.replace(' ', 'T')}Z`));
  return formatTimestamp(new Date(instantOf(timeZone, before(new Date(wall)).getTime())));
}
