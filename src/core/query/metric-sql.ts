import { columnSql, conditionSql, type SqlContext } from './conditions.ts';
import { arithmeticSql } from './formula.ts';
import type { Aggregation } from './model.ts';
import type { AggregateLeaf, MetricExpression } from './resolve.ts';
import { sqlTemplateText } from './sql-expression.ts';

/**
 * A metric's SQL: its expression tree over aggregates. Every aggregate here exists on each
 * engine that passed validation (an engine lacking one was refused there, resolve.ts).
 */
export function metricSql(ctx: SqlContext, expression: MetricExpression): string {
  return arithmeticSql(
    expression,
    (leaf) => (leaf.kind === 'sql' ? sqlTemplateText(leaf.sql, ctx.dialect.quote) : aggregateSql(ctx, leaf)),
    ctx.dialect.types.float,
  );
}

/** Aggregations computed in floating point, so integer columns give the same answer everywhere. */
const floating = new Set<Aggregation>(['avg', 'median', 'percentile', 'stddev', 'variance']);

function aggregateSql(ctx: SqlContext, leaf: AggregateLeaf): string {
  const { aggregation, field, filter } = leaf;
  const column = field && columnSql(ctx, field);
  const value =
    column === undefined
      ? '1'
      : floating.has(aggregation)
        ? `CAST(${column} AS ${ctx.dialect.types.float})`
        : column;
  // A filtered metric aggregates NULL for the rows outside its filter, which every aggregate
  // skips: CASE exists on every engine, FILTER (WHERE …) not on MySQL. The condition's values are
  // bound here, in text order.
  const input = filter
    ? `CASE WHEN ${conditionSql(ctx, filter, (e) => metricSql(ctx, e))} THEN ${value} END`
    : column === undefined
      ? '*'
      : value;
  switch (aggregation) {
    case 'count_distinct':
      return `COUNT(DISTINCT ${input})`;
    case 'median':
      return ctx.dialect.percentileCont(0.5, input);
    case 'percentile':
      return ctx.dialect.percentileCont(leaf.percentile!, input);
    case 'stddev':
      return `STDDEV_SAMP(${input})`;
    case 'variance':
      return `VAR_SAMP(${input})`;
    default:
      return `${aggregation.toUpperCase()}(${input})`;
  }
}
