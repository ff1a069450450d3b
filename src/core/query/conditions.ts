import type { ColumnType, JsonScalar } from '../../engines/types.ts';
import type { SqlDialect } from './dialects.ts';
import { arithmeticSql } from './formula.ts';
import { relativeRange } from './relative.ts';
import type { MetricExpression, ResolvedField } from './resolve.ts';
import type { Condition } from './validate.ts';
import { formatTimestamp } from './values.ts';

/** Rendering state: the dialect, the parameters bound so far, and the clock for relative dates. */
export interface SqlContext {
  dialect: SqlDialect;
  params: JsonScalar[];
  now: Date;
  /** Values are written as literals instead of bound (SQL for the SQL runner, never run here). */
  inline?: boolean;
}

/** A column, or a calculated field's expression in its place. */
export const columnSql = (ctx: SqlContext, field: ResolvedField): string =>
  field.kind === 'column'
    ? `${ctx.dialect.quote(field.table)}.${ctx.dialect.quote(field.column)}`
    : arithmeticSql(field.expression, (leaf) => columnSql(ctx, leaf.field), ctx.dialect.types.float);

/**
 * Binds a value as the next parameter (or writes it as a literal when `inline`). Dates and
 * timestamps are cast so that every engine compares them as such; metric bounds are cast to
 * float so `sum(int) > 2.5` works on PostgreSQL.
 */
export function bind(ctx: SqlContext, value: JsonScalar, type: ColumnType | 'metric'): string {
  if (!ctx.inline) ctx.params.push(value);
  const placeholder = ctx.inline ? ctx.dialect.literal(value) : ctx.dialect.placeholder(ctx.params.length);
  const cast =
    type === 'date' ? 'date' : type === 'datetime' ? 'datetime' : type === 'metric' ? 'float' : undefined;
  return cast ? `CAST(${placeholder} AS ${ctx.dialect.types[cast]})` : placeholder;
}

const escapeLike = (value: string): string => value.replace(/[!%_]/g, '!$&');

const patterns: Partial<Record<string, (value: string) => string>> = {
  contains: (value) => `%${escapeLike(value)}%`,
  'not contains': (value) => `%${escapeLike(value)}%`,
  'starts with': (value) => `${escapeLike(value)}%`,
  'ends with': (value) => `%${escapeLike(value)}`,
};

export function conditionSql(
  ctx: SqlContext,
  condition: Condition,
  metricSql: (e: MetricExpression) => string,
): string {
  if (condition.kind === 'never') return '1 = 0';
  if (condition.kind !== 'rule') {
    const joiner = condition.kind === 'and' ? ' AND ' : ' OR ';
    return `(${condition.children.map((child) => conditionSql(ctx, child, metricSql)).join(joiner)})`;
  }
  const { target, operator, values } = condition;
  const expression = target.kind === 'field' ? columnSql(ctx, target.field) : metricSql(target.expression);
  const type = target.kind === 'field' ? target.field.type : 'metric';
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
      const { start, end } = relativeRange(condition.relative!, ctx.now);
      const format = (date: Date): string =>
        type === 'date' ? formatTimestamp(date).slice(0, 10) : formatTimestamp(date);
      return `(${expression} >= ${bind(ctx, format(start), type)} AND ${expression} < ${bind(ctx, format(end), type)})`;
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
