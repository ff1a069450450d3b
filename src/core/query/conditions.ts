import type { ColumnType, CompiledQuery, JsonScalar } from '../../engines/types.ts';
import { dimensionType } from './columns.ts';
import type { SqlDialect } from './dialects.ts';
// dimension-sql.ts renders columns with columnSql from here: the two call each other only at
// render time, never while loading.
import { dimensionSql } from './dimension-sql.ts';
import { arithmeticSql } from './formula.ts';
import { relativeDates, relativeRange } from './relative.ts';
import type { MetricExpression, ResolvedField } from './resolve.ts';
import { sqlTemplateText } from './sql-expression.ts';
import type { Condition, ConditionTarget } from './validate.ts';
import { formatTimestamp, type RelativeSpec } from './values.ts';
import type { Calendar } from './zone.ts';

/**
 * Rendering state: the dialect, the parameters bound so far, the clock for relative dates, and the
 * query's calendar (time zone and week start) that buckets and relative dates follow.
 */
export interface SqlContext {
  dialect: SqlDialect;
  params: JsonScalar[];
  now: Date;
  calendar: Calendar;
  /** Values are written as literals instead of bound (SQL for the SQL runner, never run here). */
  inline?: boolean;
}

/** A column, or a calculated field's or a developer's SQL expression in its place. */
export function columnSql(ctx: SqlContext, field: ResolvedField): string {
  if (field.kind === 'column') return `${ctx.dialect.quote(field.table)}.${ctx.dialect.quote(field.column)}`;
  if (field.kind === 'sql') return sqlTemplateText(field.sql, ctx.dialect.quote);
  return arithmeticSql(field.expression, (leaf) => columnSql(ctx, leaf.field), ctx.dialect.types.float);
}

/**
 * Binds a value as the next parameter (or writes it as a literal when `inline`). Dates and
 * timestamps are cast so that every engine compares them as such; metric bounds are cast to
 * float so `sum(int) > 2.5` works on PostgreSQL.
 */
export function bind(ctx: SqlContext, value: JsonScalar, type: ColumnType | 'metric'): string {
  if (!ctx.inline) ctx.params.push(value);
  const index = ctx.params.length;
  const placeholder = ctx.inline
    ? ctx.dialect.literal(value)
    : ctx.dialect.positional
      ? `${mark}${index}${mark}`
      : ctx.dialect.placeholder(index);
  const cast =
    type === 'date' ? 'date' : type === 'datetime' ? 'datetime' : type === 'metric' ? 'float' : undefined;
  return cast ? ctx.dialect.castValue(placeholder, cast) : placeholder;
}

/**
 * Positional placeholders are rendered as the number of their value between two marks, so that
 * an expression rendered once and written twice (GROUP BY and ORDER BY repeat the SELECT's
 * expressions, MySQL's NULLS LAST writes one twice) still has all its values; finishSql turns
 * them into `?` with the values in text order. Bound values never reach the text, and nothing
 * else in it is a mark, a number and a mark.
 */
const mark = '\u0001';
const marked = new RegExp(`${mark}(\\d+)${mark}`, 'g');

/** The rendered SQL with its parameters as the driver takes them. */
export function finishSql(ctx: SqlContext, sql: string): CompiledQuery {
  if (!ctx.dialect.positional || ctx.inline) return { sql, params: ctx.params };
  const params: JsonScalar[] = [];
  const text = sql.replace(marked, (_, index: string) => {
    params.push(ctx.params[Number(index) - 1]);
    return ctx.dialect.placeholder(params.length);
  });
  return { sql: text, params };
}

/**
 * A relative rule's half-open range as the values it binds: local dates for a date column, UTC
 * instants of the period's bounds in the zone for a datetime column (which holds UTC).
 */
export function relativeBounds(
  ctx: SqlContext,
  spec: RelativeSpec,
  type: ColumnType | 'metric',
): { start: string; end: string } {
  if (type === 'date') return relativeDates(spec, ctx.now, ctx.calendar);
  const { start, end } = relativeRange(spec, ctx.now, ctx.calendar);
  return { start: formatTimestamp(start), end: formatTimestamp(end) };
}

const escapeLike = (value: string): string => value.replace(/[!%_]/g, '!$&');

const patterns: Partial<Record<string, (value: string) => string>> = {
  contains: (value) => `%${escapeLike(value)}%`,
  'not contains': (value) => `%${escapeLike(value)}%`,
  'starts with': (value) => `${escapeLike(value)}%`,
  'ends with': (value) => `%${escapeLike(value)}`,
};

function targetSql(
  ctx: SqlContext,
  target: ConditionTarget,
  metricSql: (e: MetricExpression) => string,
): { expression: string; type: ColumnType | 'metric' } {
  switch (target.kind) {
    case 'field':
      return { expression: columnSql(ctx, target.field), type: target.field.type };
    // A result target is a column of the stage the rule filters (post filters, stages.ts).
    case 'result':
      return { expression: ctx.dialect.quote(target.name), type: target.type };
    case 'dimension':
      return { expression: dimensionSql(ctx, target.dimension), type: dimensionType(target.dimension) };
    case 'metric':
      return { expression: metricSql(target.expression), type: 'metric' };
  }
}

export function conditionSql(
  ctx: SqlContext,
  condition: Condition,
  metricSql: (e: MetricExpression) => string,
): string {
  if (condition.kind === 'never') return '1 = 0';
  if (condition.kind === 'always') return '1 = 1';
  // IS NOT TRUE, not NOT: the complement includes the rows the child is unknown (NULL) for.
  if (condition.kind === 'not') return ctx.dialect.isNotTrue(conditionSql(ctx, condition.child, metricSql));
  if (condition.kind !== 'rule') {
    const joiner = condition.kind === 'and' ? ' AND ' : ' OR ';
    return `(${condition.children.map((child) => conditionSql(ctx, child, metricSql)).join(joiner)})`;
  }
  const { target, operator, values } = condition;
  const { expression, type } = targetSql(ctx, target, metricSql);
  const list = (): string => values.map((value) => bind(ctx, value, type)).join(', ');
  const one = (index = 0): string => bind(ctx, values[index], type);
  switch (operator) {
    case '=':
    case 'in':
      return values.length === 1 ? `${expression} = ${one()}` : `${expression} IN (${list()})`;
    case '!=':
    case 'not in':
      return `(${expression} IS NULL OR ${values.length === 1 ? `${expression} <> ${one()}` : `${expression} NOT IN (${list()})`})`;
    case '<':
    case '<=':
    case '>':
    case '>=':
      return `${expression} ${operator} ${one()}`;
    case 'between':
      return `${expression} BETWEEN ${one(0)} AND ${one(1)}`;
    case 'null':
      return `${expression} IS NULL`;
    case 'not null':
      return `${expression} IS NOT NULL`;
    case 'empty':
      return `(${expression} IS NULL OR ${expression} = '')`;
    case 'not empty':
      return `(${expression} IS NOT NULL AND ${expression} <> '')`;
    case 'relative': {
      const { start, end } = relativeBounds(ctx, condition.relative!, type);
      return `(${expression} >= ${bind(ctx, start, type)} AND ${expression} < ${bind(ctx, end, type)})`;
    }
    default: {
      const toPattern = patterns[operator]!;
      const matches = values.map((value) =>
        ctx.dialect.ilike(expression, bind(ctx, toPattern(String(value)), 'string')),
      );
      const any = matches.length === 1 ? matches[0] : `(${matches.join(' OR ')})`;
      return operator === 'not contains' ? `(${expression} IS NULL OR NOT ${any})` : any;
    }
  }
}
