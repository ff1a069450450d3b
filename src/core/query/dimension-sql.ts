import type { ResolvedBin } from './bins.ts';
import { columnSql, type SqlContext } from './conditions.ts';
import { type Period, periods } from './ir.ts';
import type { ResolvedDimension } from './validate.ts';

/**
 * A dimension's SQL expression. Datetime values are stored in UTC: with a query zone they are
 * first turned into the zone's wall clock, so buckets, date parts and raw values are local.
 * Date columns are calendar days already and are left alone. Zones, widths, offsets and labels
 * are written as literals (checked when the query was validated): a bound parameter inside a
 * grouped expression makes PostgreSQL reject the GROUP BY.
 */
export function dimensionSql(ctx: SqlContext, dimension: ResolvedDimension): string {
  const column = columnSql(ctx, dimension.field);
  if (dimension.bin) return binSql(ctx, dimension.bin, column);
  const { dialect, calendar } = ctx;
  const value =
    dimension.field.type === 'datetime' && calendar.timeZone !== undefined
      ? dialect.inZone(column, dialect.literal(calendar.timeZone))
      : column;
  const { granularity } = dimension;
  if (granularity === undefined) return value;
  return isPeriod(granularity)
    ? dialect.truncate(granularity, value, calendar.weekStart)
    : dialect.datePart(granularity, value, calendar.weekStart);
}

/**
 * What a dimension sorts by, given its SQL expression: the expression itself, except for custom
 * range bins, which sort in the order the ranges were given rather than by their labels. The key
 * is computed from the grouped expression, so it is valid in ORDER BY of a grouped query.
 */
export function dimensionOrderSql(ctx: SqlContext, dimension: ResolvedDimension, expression: string): string {
  if (dimension.bin?.kind !== 'ranges') return expression;
  const { literal } = ctx.dialect;
  // Searched, not `CASE x WHEN …`: ClickHouse turns that form into a transform() whose default
  // is not NULL, which would sort the rows outside every range first.
  const whens = dimension.bin.ranges.map(
    ({ label }, i) => `WHEN ${expression} = ${literal(label)} THEN ${i}`,
  );
  return `CASE ${whens.join(' ')} END`;
}

const isPeriod = (granularity: string): granularity is Period =>
  (periods as readonly string[]).includes(granularity);

/**
 * Fixed width: the bin's lower bound, FLOOR((x − offset) / width) · width + offset, in floating
 * point so integer division never truncates towards zero. Ranges: the label of the range holding
 * the value, NULL outside every range.
 */
function binSql(ctx: SqlContext, bin: ResolvedBin, column: string): string {
  const { literal, types } = ctx.dialect;
  const value = `CAST(${column} AS ${types.float})`;
  if (bin.kind === 'width') {
    const width = literal(bin.width);
    if (bin.offset === 0) return `(FLOOR(${value} / ${width}) * ${width})`;
    const offset = literal(bin.offset);
    return `(FLOOR((${value} - ${offset}) / ${width}) * ${width} + ${offset})`;
  }
  const whens = bin.ranges.map(({ from, to, label }) => {
    const tests = [
      ...(from === undefined ? [] : [`${column} >= ${literal(from)}`]),
      ...(to === undefined ? [] : [`${column} < ${literal(to)}`]),
    ];
    return `WHEN ${tests.join(' AND ')} THEN ${literal(label)}`;
  });
  return `CASE ${whens.join(' ')} END`;
}
