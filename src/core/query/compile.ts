import type { ColumnMeta, CompiledQuery, EngineDialect } from '../../engines/types.ts';
import type { Principal } from '../auth/principal.ts';
import { columnMetadata } from './columns.ts';
import { columnSql, conditionSql, finishSql, type SqlContext } from './conditions.ts';
import { dialects, type SqlDialect } from './dialects.ts';
import { dimensionOrderSql, dimensionSql } from './dimension-sql.ts';
import type { QueryIr } from './ir.ts';
import { fromSql, usedTables } from './joins.ts';
import { metricSql } from './metric-sql.ts';
import type { Model } from './model.ts';
import type { MetricExpression } from './resolve.ts';
import { secureQuery } from './security.ts';
import { isStaged, renderStaged } from './stages.ts';
import type { TopRewrite } from './top-n.ts';
import { type Condition, type KeptGroups, type ResolvedQuery, validateQuery } from './validate.ts';

export interface CompileOptions {
  dialect: EngineDialect;
  /** Required: row-level security is applied here, so no caller can compile around it. */
  principal: Principal;
  maxRows: number;
  /** The clock for relative date filters (tests pin it). */
  now?: Date;
  /**
   * Values as literals of the dialect instead of bound parameters, and LIMIT `rowCap` rather than
   * one row more: SQL for a developer to read and run as is in the SQL runner.
   */
  inline?: boolean;
}

export interface CompiledSelect extends CompiledQuery {
  /**
   * Rows the caller may return: the query's limit, else the cap. The SQL asks for one row more,
   * so a reader that stops at `rowCap` knows whether the result was cut (`truncated`).
   */
  rowCap: number;
}

export interface CompiledRows extends CompiledSelect {
  /** What each result column is, in the order of the SELECT (columns.ts). */
  columns: ColumnMeta[];
}

/**
 * IR → SQL, as a chain of small steps: validation against the model → row policies →
 * rendering (who may run the query was decided by the query service). Identifiers come only from
 * the model and are quoted; every value is a bound parameter (unless `inline`). Only limits and
 * formula constants, both checked numbers, appear as literals (a bound LIMIT breaks MySQL
 * prepared statements).
 */
export function compileQuery(model: Model, ir: QueryIr, options: CompileOptions): CompiledRows {
  const query = resolveQuery(model, ir, options);
  return { ...compileResolved(model, query, options), columns: columnMetadata(model, ir, query) };
}

/** The IR validated against the model, row policies added: what every compilation starts from. */
export const resolveQuery = (model: Model, ir: QueryIr, options: CompileOptions): ResolvedQuery =>
  secureQuery(validateQuery(model, ir, options), model, options.principal);

/** A resolved query (or one derived from it: totals, a pivot's cross-tab) → SQL. */
export function compileResolved(model: Model, query: ResolvedQuery, options: CompileOptions): CompiledSelect {
  const ctx = contextOf(options, query);
  const rowCap = Math.min(query.limit ?? options.maxRows, options.maxRows);
  const { lines, order } = renderQuery(ctx, model, query);
  if (order) lines.push(`ORDER BY ${order}`);
  lines.push(
    `LIMIT ${options.inline ? rowCap : rowCap + 1}${query.offset > 0 ? ` OFFSET ${query.offset}` : ''}`,
  );
  return { ...finishSql(ctx, lines.join('\n')), rowCap };
}

/**
 * How many rows the query has without its limit and offset (`totalRows`): COUNT(*) over the same
 * query, row policies included, as a subquery.
 */
export function compileCount(model: Model, ir: QueryIr, options: CompileOptions): CompiledQuery {
  return countResolved(model, resolveQuery(model, ir, options), options);
}

export function countResolved(model: Model, query: ResolvedQuery, options: CompileOptions): CompiledQuery {
  const ctx = contextOf(options, query);
  const { quote } = ctx.dialect;
  const inner = renderQuery(ctx, model, query).lines.join('\n');
  return finishSql(
    ctx,
    `SELECT COUNT(*) AS ${quote('total_rows')} FROM (\n${inner}\n) AS ${quote('counted')}`,
  );
}

/**
 * Every row of the query as a subquery that `outer` wraps in a SELECT of its own (aggregates over
 * the whole result: reduce.ts): the query's own limit and offset kept, in its order, but no row
 * cap, so nothing the cap would cut is missed.
 */
export function wrapWhole(
  model: Model,
  query: ResolvedQuery,
  options: CompileOptions,
  outer: (inner: string, dialect: SqlDialect) => string,
): CompiledQuery {
  const ctx = contextOf(options, query);
  const { lines, order } = renderQuery(ctx, model, query);
  if (query.limit !== undefined || query.offset > 0) {
    if (order) lines.push(`ORDER BY ${order}`);
    // MySQL takes no OFFSET without a LIMIT: the largest safe integer stands for "every row".
    const offset = query.offset > 0 ? ` OFFSET ${query.offset}` : '';
    lines.push(`LIMIT ${query.limit ?? Number.MAX_SAFE_INTEGER}${offset}`);
  }
  return finishSql(ctx, outer(lines.join('\n'), ctx.dialect));
}

const contextOf = (options: CompileOptions, query: ResolvedQuery): SqlContext => ({
  dialect: dialects[options.dialect],
  params: [],
  now: options.now ?? new Date(),
  calendar: query.calendar,
  inline: options.inline,
});

/**
 * The query without its page, and its order: one grouped SELECT, or, when the query has post
 * calculations, top N or post filters, the staged plan of CTEs over it (stages.ts). A query
 * without them keeps its single SELECT.
 */
function renderQuery(
  ctx: SqlContext,
  model: Model,
  query: ResolvedQuery,
): { lines: string[]; order: string } {
  if (isStaged(query)) return renderStaged(ctx, query, (q, top) => renderSelect(ctx, model, q, top).lines);
  const { lines, columns } = renderSelect(ctx, model, query);
  return { lines, order: orderSql(ctx, query, columns) };
}

/**
 * SELECT … FROM … WHERE … GROUP BY … HAVING …: the query without its order and page; `top`
 * joins the ranked values and folds the ranked dimension (top-n.ts).
 */
function renderSelect(ctx: SqlContext, model: Model, query: ResolvedQuery, top?: TopRewrite) {
  const { quote } = ctx.dialect;
  const metric = (expression: MetricExpression): string => metricSql(ctx, expression);
  const joins: string[] = [];
  const grouped = new Map<string, string>(
    query.dimensions.flatMap((d): Array<[string, string]> => {
      if (d.name !== top?.dimension) return [[d.name, dimensionSql(ctx, d)]];
      const rewritten = top.apply(dimensionSql(ctx, d));
      joins.push(rewritten.join);
      return rewritten.columns;
    }),
  );
  const columns = new Map<string, string>([
    ...grouped,
    ...query.metrics.map((m): [string, string] => [m.name, metric(m.expression)]),
  ]);
  // Clauses are rendered in text order, so `?` placeholders (MySQL) line up with the parameters.
  const select = [...columns].map(
    ([name, expression]) => `${expression} AS ${ctx.dialect.resultAlias(name)}`,
  );
  const lines = [
    `SELECT ${select.join(', ')}`,
    `FROM ${fromSql(model, ctx.dialect, usedTables(query))}`,
    ...joins,
  ];
  if (query.keptGroups) lines.push(keptGroupsJoin(ctx, model, query.where, query.keptGroups));
  if (query.where) lines.push(`WHERE ${conditionSql(ctx, query.where, metric)}`);
  if (query.aggregate && query.dimensions.length > 0) {
    lines.push(`GROUP BY ${[...grouped.values()].join(', ')}`);
  }
  if (query.having) lines.push(`HAVING ${conditionSql(ctx, query.having, metric)}`);
  return { lines, columns };
}

/**
 * The rows of the groups a metric filter keeps: the groups that pass HAVING (same WHERE), joined
 * back to their rows on the dimensions, NULL matching NULL. Without dimensions the one group
 * keeps every row or none.
 */
function keptGroupsJoin(
  ctx: SqlContext,
  model: Model,
  where: Condition | undefined,
  kept: KeptGroups,
): string {
  const { quote, nullSafeEquals } = ctx.dialect;
  const groups: ResolvedQuery = {
    dimensions: kept.dimensions,
    // A SELECT needs a column: the one group's row count when there is no dimension.
    metrics:
      kept.dimensions.length > 0
        ? []
        : [{ name: 'rows', expression: { kind: 'aggregate', aggregation: 'count' } }],
    where,
    having: kept.having,
    sorts: [],
    offset: 0,
    aggregate: true,
    calendar: ctx.calendar,
  };
  const inner = renderSelect(ctx, model, groups).lines.join('\n');
  const on = kept.dimensions.map((d) =>
    nullSafeEquals(dimensionSql(ctx, d), `${quote('kept')}.${ctx.dialect.resultAlias(d.name)}`),
  );
  return `INNER JOIN (\n${inner}\n) AS ${quote('kept')} ON ${on.length > 0 ? on.join(' AND ') : '1 = 1'}`;
}

/**
 * ORDER BY repeats the column expressions rather than their aliases: MySQL refuses an alias of
 * an aggregate inside an expression (its NULLS-LAST emulation) and may find an alias ambiguous
 * with a joined column. Without sorts, grouped results come ordered by their dimensions, a range
 * bin in the order of its ranges (dimension-sql.ts).
 */
function orderSql(ctx: SqlContext, query: ResolvedQuery, columns: Map<string, string>): string {
  const { orderBy } = ctx.dialect;
  const keys = new Map(columns);
  for (const d of query.dimensions) keys.set(d.name, dimensionOrderSql(ctx, d, columns.get(d.name)!));
  if (query.sorts.length > 0) {
    return query.sorts
      .map(({ target, descending }) =>
        orderBy(target.kind === 'column' ? keys.get(target.name)! : columnSql(ctx, target.field), descending),
      )
      .join(', ');
  }
  if (!query.aggregate) return '';
  return query.dimensions.map((d) => orderBy(keys.get(d.name)!, false)).join(', ');
}
