import type { CompiledQuery, EngineDialect } from '../../engines/types.ts';
import type { Principal } from '../auth/principal.ts';
import { columnSql, conditionSql, type SqlContext } from './conditions.ts';
import { dialects } from './dialects.ts';
import { arithmeticSql } from './formula.ts';
import type { QueryIr } from './ir.ts';
import { fromSql, usedTables } from './joins.ts';
import type { Model } from './model.ts';
import type { MetricExpression } from './resolve.ts';
import { secureQuery } from './security.ts';
import { type ResolvedDimension, type ResolvedQuery, validateQuery } from './validate.ts';

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

export interface CompiledRows extends CompiledQuery {
  /**
   * Rows the caller may return: the query's limit, else the cap. The SQL asks for one row more,
   * so a reader that stops at `rowCap` knows whether the result was cut (`truncated`).
   */
  rowCap: number;
}

/**
 * IR → SQL, as a chain of small steps: validation against the model → row policies →
 * rendering (who may run the query was decided by the query service). Identifiers come only from
 * the model and are quoted; every value is a bound parameter (unless `inline`). Only limits and
 * formula constants, both checked numbers, appear as literals (a bound LIMIT breaks MySQL
 * prepared statements).
 */
export function compileQuery(model: Model, ir: QueryIr, options: CompileOptions): CompiledRows {
  const query = secureQuery(validateQuery(model, ir, options), model, options.principal);
  const ctx = contextOf(options);
  const rowCap = Math.min(query.limit ?? options.maxRows, options.maxRows);
  const { lines, columns } = renderSelect(ctx, model, query);
  const order = orderSql(ctx, query, columns);
  if (order) lines.push(`ORDER BY ${order}`);
  lines.push(
    `LIMIT ${options.inline ? rowCap : rowCap + 1}${query.offset > 0 ? ` OFFSET ${query.offset}` : ''}`,
  );
  return { sql: lines.join('\n'), params: ctx.params, rowCap };
}

/**
 * How many rows the query has without its limit and offset (`totalRows`): COUNT(*) over the same
 * query, row policies included, as a subquery.
 */
export function compileCount(model: Model, ir: QueryIr, options: CompileOptions): CompiledQuery {
  const query = secureQuery(validateQuery(model, ir, options), model, options.principal);
  const ctx = contextOf(options);
  const { quote } = ctx.dialect;
  const inner = renderSelect(ctx, model, query).lines.join('\n');
  return {
    sql: `SELECT COUNT(*) AS ${quote('total_rows')} FROM (\n${inner}\n) AS ${quote('counted')}`,
    params: ctx.params,
  };
}

const contextOf = (options: CompileOptions): SqlContext => ({
  dialect: dialects[options.dialect],
  params: [],
  now: options.now ?? new Date(),
  inline: options.inline,
});

/** SELECT … FROM … WHERE … GROUP BY … HAVING …: the query without its order and page. */
function renderSelect(ctx: SqlContext, model: Model, query: ResolvedQuery) {
  const { quote } = ctx.dialect;
  const metric = (expression: MetricExpression): string => metricSql(ctx, expression);
  const columns = new Map<string, string>([
    ...query.dimensions.map((d): [string, string] => [d.name, dimensionSql(ctx, d)]),
    ...query.metrics.map((m): [string, string] => [m.name, metric(m.expression)]),
  ]);
  // Clauses are rendered in text order, so `?` placeholders (MySQL) line up with the parameters.
  const select = [...columns].map(([name, expression]) => `${expression} AS ${quote(name)}`);
  const lines = [`SELECT ${select.join(', ')}`, `FROM ${fromSql(model, ctx.dialect, usedTables(query))}`];
  if (query.where) lines.push(`WHERE ${conditionSql(ctx, query.where, metric)}`);
  if (query.aggregate && query.dimensions.length > 0) {
    lines.push(`GROUP BY ${query.dimensions.map((d) => columns.get(d.name)).join(', ')}`);
  }
  if (query.having) lines.push(`HAVING ${conditionSql(ctx, query.having, metric)}`);
  return { lines, columns };
}

const dimensionSql = (ctx: SqlContext, dimension: ResolvedDimension): string => {
  const column = columnSql(ctx, dimension.field);
  return dimension.granularity ? ctx.dialect.truncate(dimension.granularity, column) : column;
};

/**
 * ORDER BY repeats the column expressions rather than their aliases: MySQL refuses an alias of
 * an aggregate inside an expression (its NULLS-LAST emulation) and may find an alias ambiguous
 * with a joined column. Without sorts, grouped results come ordered by their dimensions.
 */
function orderSql(ctx: SqlContext, query: ResolvedQuery, columns: Map<string, string>): string {
  const { orderBy } = ctx.dialect;
  if (query.sorts.length > 0) {
    return query.sorts
      .map(({ target, descending }) =>
        orderBy(
          target.kind === 'column' ? columns.get(target.name)! : columnSql(ctx, target.field),
          descending,
        ),
      )
      .join(', ');
  }
  if (!query.aggregate) return '';
  return query.dimensions.map((d) => orderBy(columns.get(d.name)!, false)).join(', ');
}

function metricSql(ctx: SqlContext, expression: MetricExpression): string {
  const { float } = ctx.dialect.types;
  return arithmeticSql(
    expression,
    ({ aggregation, field }) => {
      const column = field ? columnSql(ctx, field) : '*';
      if (aggregation === 'count_distinct') return `COUNT(DISTINCT ${column})`;
      if (aggregation === 'avg') return `AVG(CAST(${column} AS ${float}))`;
      return `${aggregation.toUpperCase()}(${column})`;
    },
    float,
  );
}
