import { conditionSql, type SqlContext } from './conditions.ts';
import { BASE, orderKeySql, postStages } from './post.ts';
import { PREVIOUS, previousStage } from './previous.ts';
import { dimensionKeys, RANKED, rankedSql, type SelectRenderer, topRewrite } from './top-n.ts';
import type { ResolvedQuery } from './validate.ts';
import { OTHERS_FLAG } from './validate-post.ts';

/**
 * The plan of a query with steps after grouping, as CTEs the engine runs in one statement:
 *
 *   WITH [__ranked AS (top N's ranking),] __base AS (the grouped SELECT),
 *        [__previous AS (the grouped rows previous periods read, date filter removed: previous.ts),]
 *        [__post1 AS (SELECT …, <calculation 1> FROM __base), __post2 AS (… FROM __post1), …]
 *   SELECT <result ids> FROM <the last CTE> [WHERE <post filters>] ORDER BY … LIMIT …
 *
 * Every calculation sees all grouped rows: the page and the row cap apply to the outer SELECT
 * only, so running totals, ranks and the top N do not depend on them.
 */

export const isStaged = (query: ResolvedQuery): boolean =>
  Boolean(query.post?.length || query.top || query.postWhere);

export function renderStaged(
  ctx: SqlContext,
  query: ResolvedQuery,
  select: SelectRenderer,
): { lines: string[]; order: string } {
  const { quote } = ctx.dialect;
  // Rendered in text order, so `?` placeholders (MySQL) line up with the parameters.
  const stages: Array<[name: string, body: string[]]> = [];
  if (query.top) stages.push([RANKED, rankedSql(ctx, query, query.top, select)]);
  stages.push([BASE, select(query, query.top && topRewrite(ctx, query, query.top))]);
  const previous = previousStage(ctx, query, select);
  if (previous) stages.push([PREVIOUS, previous]);
  stages.push(...postStages(ctx, query, previous ? PREVIOUS : BASE));
  const [source] = stages[stages.length - 1];
  const ids = query.columnOrder ?? [
    ...query.dimensions.map((d) => d.name),
    ...query.metrics.map((m) => m.name),
    ...(query.post ?? []).map((p) => p.id),
  ];
  const lines = [
    `WITH ${stages.map(([name, body]) => `${quote(name)} AS (\n${body.join('\n')}\n)`).join(',\n')}`,
    `SELECT ${ids.map(quote).join(', ')}`,
    `FROM ${quote(source)}`,
  ];
  if (query.postWhere) lines.push(`WHERE ${conditionSql(ctx, query.postWhere, noMetric)}`);
  return { lines, order: orderSql(ctx, query) };
}

/** Post filters name result columns, never a metric to aggregate (validate-post.ts). */
const noMetric = (): never => {
  throw new Error('a post filter names result columns only');
};

/**
 * Sorts name result ids. Without sorts: a top N by its metric (largest first, smallest for
 * bottom) with `Others` last, else by the dimensions, as a single SELECT is.
 */
function orderSql(ctx: SqlContext, query: ResolvedQuery): string {
  const { quote, orderBy } = ctx.dialect;
  const key = (name: string, descending = false): string =>
    orderBy(orderKeySql(ctx, query, name, quote(name)), descending);
  if (query.sorts.length > 0) {
    return query.sorts
      .map(({ target, descending }) => {
        // An aggregated query sorts by its result columns only (validate.ts resolveSort).
        if (target.kind !== 'column') throw new Error('a staged query sorts by result columns');
        return key(target.name, descending);
      })
      .join(', ');
  }
  const { top } = query;
  const dimensions = dimensionKeys(
    query,
    query.dimensions.map((d) => d.name),
  ).filter((name) => name !== OTHERS_FLAG);
  const first = top ? [...(top.others ? [key(OTHERS_FLAG)] : []), key(top.by, !top.bottom)] : [];
  return [...first, ...dimensions.map((name) => key(name))].join(', ');
}
