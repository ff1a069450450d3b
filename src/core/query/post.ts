import type { SqlContext } from './conditions.ts';
import { dimensionOrderSql } from './dimension-sql.ts';
import { arithmeticSql } from './formula.ts';
import { PREVIOUS, previousTypes } from './previous.ts';
import { dimensionKeys } from './top-n.ts';
import type { ResolvedQuery } from './validate.ts';
import { periodDimension, type ResolvedPost, resultDimensionType } from './validate-post.ts';

/**
 * The post calculations (ir.ts `PostCalculation`) over the grouped rows of `__base`: one CTE per
 * calculation, `__post1 AS (SELECT __rows.*, <calculation> FROM __base AS __rows)`, the next
 * reading the previous one. A formula thus reads earlier calculations as columns, and each
 * SELECT holds at most one kind of window: MariaDB 10.11 ranks wrong when one SELECT mixes a
 * partitioned running sum, an `OVER ()` total and a rank. A group (one calculation over each
 * column of a pivot) shares one CTE: hundreds of chained CTEs overflow MariaDB's WITH and take
 * PostgreSQL's planner minutes. Previous-period calculations join the grouped rows one period
 * back: `__base`'s own, or those of `__previous` when the query filters its dates (previous.ts).
 */

export const BASE = '__base';
const ROWS = '__rows';

/** The post CTEs; `previousRows` names the CTE of the grouped rows previous periods are read from. */
export function postStages(
  ctx: SqlContext,
  query: ResolvedQuery,
  previousRows: string,
): Array<[name: string, body: string[]]> {
  let input = BASE;
  return groups(query.post ?? []).map((group, i) => {
    const name = `__post${i + 1}`;
    const body = stageSql(ctx, query, group, input, previousRows);
    input = name;
    return [name, body];
  });
}

/** Consecutive calculations of one group together, every other calculation alone. */
function groups(calculations: ResolvedPost[]): ResolvedPost[][] {
  const grouped: ResolvedPost[][] = [];
  for (const calculation of calculations) {
    const last = grouped.at(-1);
    if (calculation.group !== undefined && last?.[0].group === calculation.group) last.push(calculation);
    else grouped.push([calculation]);
  }
  return grouped;
}

/** A column of one of the stage's tables, quoted. */
const inTable =
  (ctx: SqlContext, table: string) =>
  (name: string): string =>
    `${ctx.dialect.quote(table)}.${ctx.dialect.quote(name)}`;

/** One CTE: the calculations of a group (all of one type) over the previous stage's rows. */
function stageSql(
  ctx: SqlContext,
  query: ResolvedQuery,
  group: ResolvedPost[],
  input: string,
  previousRows: string,
): string[] {
  const { quote, nullSafeEquals, addPeriods } = ctx.dialect;
  const [row, previous] = [ROWS, PREVIOUS].map((table) => inTable(ctx, table));
  const columns = group.map((c) => `${calculationSql(ctx, query, c)} AS ${quote(c.id)}`);
  const lines = [`SELECT ${quote(ROWS)}.*, ${columns.join(', ')}`, `FROM ${quote(input)} AS ${quote(ROWS)}`];
  const period = periodDimension(query);
  if (period && previousTypes.includes(group[0].type)) {
    // The grouped row of the same other dimensions (NULL equal to NULL) one period back.
    const others = dimensionKeys(
      query,
      query.dimensions.filter((d) => d !== period).map((d) => d.name),
    );
    const on = [
      `${previous(period.name)} = ${addPeriods(period.granularity, row(period.name), -1)}`,
      ...others.map((name) => nullSafeEquals(previous(name), row(name))),
    ];
    lines.push(`LEFT JOIN ${quote(previousRows)} AS ${quote(PREVIOUS)} ON ${on.join(' AND ')}`);
  }
  return lines;
}

/** A calculation's SQL over the stage's rows (`__rows`, and `__previous` one period back). */
function calculationSql(ctx: SqlContext, query: ResolvedQuery, calculation: ResolvedPost): string {
  const { orderBy, types } = ctx.dialect;
  const [row, previous] = [ROWS, PREVIOUS].map((table) => inTable(ctx, table));
  const over = (partitionBy: string[], order: string[], frame = ''): string => {
    const parts = [
      ...(partitionBy.length > 0
        ? [`PARTITION BY ${dimensionKeys(query, partitionBy).map(row).join(', ')}`]
        : []),
      ...(order.length > 0 ? [`ORDER BY ${order.join(', ')}${frame}`] : []),
    ];
    return `OVER (${parts.join(' ')})`;
  };
  const ratio = (numerator: string, denominator: string): string =>
    `(CAST(${numerator} AS ${types.float}) / NULLIF(${denominator}, 0))`;
  switch (calculation.type) {
    case 'running_total': {
      const along = runningOrder(query, calculation.partitionBy).map((key) =>
        orderBy(orderKeySql(ctx, query, key, row(key)), false),
      );
      const frame = ' ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW';
      return `SUM(${row(calculation.of)}) ${over(calculation.partitionBy, along, frame)}`;
    }
    case 'percent_of_total':
      return ratio(row(calculation.of), `SUM(${row(calculation.of)}) ${over(calculation.partitionBy, [])}`);
    case 'rank':
      return `RANK() ${over(calculation.partitionBy, [orderBy(row(calculation.of), !calculation.ascending)])}`;
    case 'previous_period':
      return previous(calculation.of);
    case 'difference':
      return `(${row(calculation.of)} - ${previous(calculation.of)})`;
    case 'percent_change':
      return ratio(
        `${row(calculation.of)} - ${previous(calculation.of)}`,
        `ABS(${previous(calculation.of)})`,
      );
    case 'formula':
      return arithmeticSql(calculation.formula, ({ name }) => row(name), types.float);
  }
}

/**
 * What a column of a stage sorts by, given its SQL: a dimension as a single SELECT sorts it (range
 * bins in the order of their ranges, dimension-sql.ts), anything else by its value.
 */
export function orderKeySql(ctx: SqlContext, query: ResolvedQuery, name: string, column: string): string {
  const dimension = query.dimensions.find((d) => d.name === name);
  return dimension ? dimensionOrderSql(ctx, dimension, column) : column;
}

/**
 * The order a running total accumulates in within its partition: the first date dimension, then
 * the other dimensions in the query's order, so ties on the date accumulate in a fixed order.
 */
function runningOrder(query: ResolvedQuery, partitionBy: string[]): string[] {
  const along = query.dimensions.filter((d) => !partitionBy.includes(d.name));
  const date = along.find((d) => ['date', 'datetime'].includes(resultDimensionType(query, d)));
  const ordered = date ? [date, ...along.filter((d) => d !== date)] : along;
  return dimensionKeys(
    query,
    ordered.map((d) => d.name),
  );
}
