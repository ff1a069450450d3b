import { dimensionType } from './columns.ts';
import type { SqlContext } from './conditions.ts';
import { dimensionOrderSql } from './dimension-sql.ts';
import { OTHERS_LABEL } from './ir.ts';
import type { ResolvedQuery } from './validate.ts';
import { OTHERS_FLAG, type ResolvedTop } from './validate-post.ts';

/**
 * Top N (ir.ts `TopN`) in two CTEs. `__ranked` numbers the dimension's values by the `by` metric
 * over the whole filtered data (grouped by that dimension alone, same WHERE, row policies
 * included), ties broken by the value. The grouped stage then joins it: without `others` only
 * the kept values' rows are grouped; with `others` every other value becomes `Others` and the
 * rows are grouped again, so each metric of the `Others` row is computed from its rows (an
 * average or a distinct count cannot be re-aggregated from groups).
 */

export const RANKED = '__ranked';

/** How the top-N stage changes the grouped SELECT (compile.ts renderSelect). */
export interface TopRewrite {
  /** The result id of the ranked dimension. */
  dimension: string;
  /**
   * Given the dimension's SQL: the JOIN to add after the model's FROM, and the grouped columns
   * that replace the dimension's (the folded value, and the `Others` flag).
   */
  apply(dimensionSql: string): { join: string; columns: Array<[name: string, sql: string]> };
}

/** Renders a variant of the query as its grouped SELECT … HAVING (compile.ts renderSelect). */
export type SelectRenderer = (query: ResolvedQuery, top?: TopRewrite) => string[];

/** The `__ranked` CTE's body: `value` and its `position` (1 = kept first). */
export function rankedSql(
  ctx: SqlContext,
  query: ResolvedQuery,
  top: ResolvedTop,
  select: SelectRenderer,
): string[] {
  const { quote, orderBy } = ctx.dialect;
  const dimension = query.dimensions.find((d) => d.name === top.dimension)!;
  const by = query.metrics.find((m) => m.name === top.by)!;
  const grouped = select({
    ...query,
    dimensions: [{ ...dimension, name: 'value' }],
    metrics: [{ name: 'by', expression: by.expression }],
    having: undefined,
    keptGroups: undefined,
    post: undefined,
    top: undefined,
    postWhere: undefined,
    sorts: [],
  });
  const value = dimensionOrderSql(ctx, dimension, quote('value'));
  const order = [orderBy(quote('by'), !top.bottom), orderBy(value, false)].join(', ');
  return [
    `SELECT ${quote('value')}, ROW_NUMBER() OVER (ORDER BY ${order}) AS ${quote('position')}`,
    'FROM (',
    ...grouped,
    `) AS ${quote('grouped')}`,
  ];
}

/** The grouped stage's join on `__ranked` and its folded dimension. */
export function topRewrite(ctx: SqlContext, query: ResolvedQuery, top: ResolvedTop): TopRewrite {
  const { quote, literal, nullSafeEquals, types } = ctx.dialect;
  const ranked = (column: string): string => `${quote(RANKED)}.${quote(column)}`;
  const dimension = query.dimensions.find((d) => d.name === top.dimension)!;
  const isText = dimensionType(dimension) === 'string';
  return {
    dimension: top.dimension,
    apply(sql) {
      // The position test sits in ON, so with `others` the LEFT JOIN leaves folded rows unmatched.
      const on = `${ranked('position')} <= ${top.n} AND ${nullSafeEquals(sql, ranked('value'))}`;
      if (!top.others)
        return { join: `INNER JOIN ${quote(RANKED)} ON ${on}`, columns: [[top.dimension, sql]] };
      const folded = `${ranked('position')} IS NULL`;
      const value = isText ? sql : `CAST(${sql} AS ${types.text})`;
      return {
        join: `LEFT JOIN ${quote(RANKED)} ON ${on}`,
        columns: [
          [top.dimension, `CASE WHEN ${folded} THEN ${literal(OTHERS_LABEL)} ELSE ${value} END`],
          // Grouped too: a kept value spelled `Others` stays its own row, and Others sorts last.
          [OTHERS_FLAG, `CASE WHEN ${folded} THEN 1 ELSE 0 END`],
        ],
      };
    },
  };
}

/**
 * The grouped stage's columns that stand for these dimensions (to order, partition or match rows
 * by): a dimension folded into `Others` comes with its flag first, so `Others` sorts after the
 * kept values and never matches a kept value spelled the same.
 */
export function dimensionKeys(query: ResolvedQuery, names: readonly string[]): string[] {
  return names.flatMap((name) =>
    query.top?.others && query.top.dimension === name ? [OTHERS_FLAG, name] : [name],
  );
}
