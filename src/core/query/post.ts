import type { SqlContext } from './conditions.ts';
import { dimensionOrderSql } from './dimension-sql.ts';
import { arithmeticSql } from './formula.ts';
import { dimensionKeys } from './top-n.ts';
import type { ResolvedQuery } from './validate.ts';
import { periodDimension, type ResolvedPost, resultDimensionType } from './validate-post.ts';

/**
 * The post calculations (ir.ts `PostCalculation`) over the grouped rows of `__base`: one CTE per
 * calculation, `__post1 AS (SELECT __rows.*, <calculation> FROM __base AS __rows)`, the next
 * reading the previous one. A formula thus reads earlier calculations as columns, and each
 * SELECT holds at most one window: MariaDB 10.11 ranks wrong when one SELECT mixes a partitioned
 * running sum, an `OVER ()` total and a rank. Previous-period calculations join `__base` one
 * period back.
 */

export const BASE = '__base';
const ROWS = '__rows';
const PREVIOUS = '__previous';

export function postStages(ctx: SqlContext, query: ResolvedQuery): Array<[name: string, body: string[]]> {
  let input = BASE;
  return (query.post ?? []).map((calculation, i) => {
    const name = `__post${i + 1}`;
    const body = calculationSql(ctx, query, calculation, input);
    input = name;
    return [name, body];
  });
}

const previousTypes: ReadonlyArray<ResolvedPost['type']> = [
  'previous_period',
  'difference',
  'percent_change',
];

function calculationSql(
  ctx: SqlContext,
  query: ResolvedQuery,
  calculation: ResolvedPost,
  input: string,
): string[] {
  const { quote, orderBy, nullSafeEquals, addPeriods, types } = ctx.dialect;
  const row = (name: string): string => `${quote(ROWS)}.${quote(name)}`;
  const previous = (name: string): string => `${quote(PREVIOUS)}.${quote(name)}`;
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
  const expression = (): string => {
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
  };
  const lines = [
    `SELECT ${quote(ROWS)}.*, ${expression()} AS ${quote(calculation.id)}`,
    `FROM ${quote(input)} AS ${quote(ROWS)}`,
  ];
  const period = periodDimension(query);
  if (period && previousTypes.includes(calculation.type)) {
    // The grouped row of the same other dimensions (NULL equal to NULL) one period back.
    const others = dimensionKeys(
      query,
      query.dimensions.filter((d) => d !== period).map((d) => d.name),
    );
    const on = [
      `${previous(period.name)} = ${addPeriods(period.granularity, row(period.name), -1)}`,
      ...others.map((name) => nullSafeEquals(previous(name), row(name))),
    ];
    lines.push(`LEFT JOIN ${quote(BASE)} AS ${quote(PREVIOUS)} ON ${on.join(' AND ')}`);
  }
  return lines;
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
