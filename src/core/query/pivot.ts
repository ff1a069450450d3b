import type { ColumnMeta, ColumnType, JsonScalar } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import { columnMetadata, dimensionType } from './columns.ts';
import {
  type CompiledRows,
  type CompileOptions,
  compileResolved,
  countResolved,
  resolveQuery,
} from './compile.ts';
import { forEachLeaf, mapLeaves } from './formula.ts';
import type { Pivot, QueryIr } from './ir.ts';
import type { Model } from './model.ts';
import { maxPivotColumns } from './parse-analytics.ts';
import { checkPivotPost, spreadPost } from './pivot-post.ts';
import type { MetricExpression } from './resolve.ts';
import type { RunSql } from './totals.ts';
import type { Condition, ResolvedDimension, ResolvedQuery } from './validate.ts';
import { convertValue } from './values.ts';

/** What the answer says of a pivot: which columns are row dimensions, pivot dimensions, metrics. */
export interface PivotAnswer {
  rows: string[];
  columns: string[];
  metrics: string[];
  /** One array per combination of the pivot dimensions' values, in column order. */
  values: JsonScalar[][];
}

/** The statement whose rows are the answer's, and what it renders. */
export interface QueryPlan {
  compiled: CompiledRows;
  /** The query as resolved from the IR (its dimensions are what subtotals may name). */
  resolved: ResolvedQuery;
  /** What `compiled` renders: `resolved`, or a pivot's cross-tab (what totals and counts cover). */
  rendered: ResolvedQuery;
  pivot?: PivotAnswer;
}

/** How a NULL value of a pivot dimension is written in a spread column's id. */
const NULL_VALUE = '∅';

/**
 * The IR → the statement to run. A pivot's SQL depends on its data: the distinct value
 * combinations of the pivot dimensions are read first (under the same filters and row policies),
 * then the cross-tab is compiled with one column per combination and metric.
 */
export async function planQuery(
  model: Model,
  ir: QueryIr,
  options: CompileOptions,
  run: RunSql,
): Promise<QueryPlan> {
  const resolved = resolveQuery(model, ir, options);
  const columns = columnMetadata(model, ir, resolved);
  if (!ir.pivot)
    return {
      compiled: { ...compileResolved(model, resolved, options), columns },
      resolved,
      rendered: resolved,
    };
  const { rows, spread } = pivotDimensions(resolved, ir.pivot);
  checkPivot(ir, resolved, spread);
  const values = await readValues(model, resolved, spread, ir.pivot, options, run);
  const tab = crossTab(resolved, rows, spread, values, columns);
  return {
    compiled: { ...compileResolved(model, tab.query, options), columns: tab.columns },
    resolved,
    rendered: tab.query,
    pivot: {
      rows: rows.map((d) => d.name),
      columns: spread.map((d) => d.name),
      metrics: [...resolved.metrics.map((m) => m.name), ...(resolved.post ?? []).map((p) => p.id)],
      values,
    },
  };
}

function pivotDimensions(query: ResolvedQuery, pivot: Pivot) {
  const spread = pivot.columns.map((id, i) => {
    const dimension = query.dimensions.find((d) => d.name === id);
    if (!dimension) {
      const ids = query.dimensions.map((d) => d.name).join(', ');
      throw validationError(
        `pivot.columns[${i}]`,
        `unknown dimension id ${JSON.stringify(id)} (the query's dimensions: ${ids || 'none'})`,
      );
    }
    if (pivot.columns.indexOf(id) !== i)
      throw validationError(`pivot.columns[${i}]`, `"${id}" is listed twice`);
    return dimension;
  });
  return { rows: query.dimensions.filter((d) => !spread.includes(d)), spread };
}

/** What a cross-tab cannot express yet is a 400, never a different query. */
function checkPivot(ir: QueryIr, query: ResolvedQuery, spread: ResolvedDimension[]): void {
  if (query.metrics.length === 0) throw validationError('pivot', 'a pivot needs at least one metric');
  for (const key of ['postFilters', 'top'] as const) {
    if (ir[key] !== undefined) throw validationError('pivot', `a pivot with "${key}" is not supported yet`);
  }
  query.metrics.forEach((metric, i) => {
    if (hasSqlLeaf(metric.expression)) {
      throw validationError(
        `metrics[${i}]`,
        `"${metric.name}" is an SQL metric: a pivot cannot restrict its SQL to one column's rows`,
      );
    }
  });
  checkPivotPost(query, spread);
}

const hasSqlLeaf = (expression: MetricExpression): boolean => {
  let found = false;
  forEachLeaf(expression, (leaf) => {
    found ||= leaf.kind === 'sql';
  });
  return found;
};

/**
 * The distinct value combinations of the pivot dimensions, ascending with NULL last (descending
 * for a dimension the query sorts so). More combinations × (metrics and post calculations) than
 * the bound is a 400 that says how many there are (counted only then).
 */
async function readValues(
  model: Model,
  query: ResolvedQuery,
  spread: ResolvedDimension[],
  pivot: Pivot,
  options: CompileOptions,
  run: RunSql,
): Promise<JsonScalar[][]> {
  const maxColumns = pivot.maxColumns ?? maxPivotColumns;
  const calculations = query.post?.length ?? 0;
  const perValue = query.metrics.length + calculations;
  const bound = Math.floor(maxColumns / perValue);
  const sorts = spread.map((d) => ({
    target: { kind: 'column' as const, name: d.name },
    descending: query.sorts.some(
      (s) => s.target.kind === 'column' && s.target.name === d.name && s.descending,
    ),
  }));
  const values: ResolvedQuery = {
    ...query,
    dimensions: spread,
    metrics: [],
    post: undefined,
    having: undefined,
    keptGroups: query.having && { dimensions: query.dimensions, having: query.having },
    sorts,
    limit: undefined,
    offset: 0,
  };
  // Read with bound parameters even for SQL shown inline: these values are data, not SQL.
  const valuesOptions = { ...options, inline: false };
  const compiled = compileResolved(model, values, { ...valuesOptions, maxRows: bound });
  const { rows, truncated } = await run(compiled, compiled.rowCap);
  if (!truncated) return rows;
  const counted = await run(countResolved(model, values, valuesOptions), 1);
  const count = Number(counted.rows[0]?.[0]);
  const metrics = query.metrics.length;
  const each = `${metrics} metric${metrics > 1 ? 's' : ''}${calculations > 0 ? ` and ${calculations} post calculation${calculations > 1 ? 's' : ''}` : ''}`;
  throw validationError(
    'pivot.columns',
    `${count} value combinations × ${each} = ${count * perValue} columns, more than ${maxColumns} (pivot.maxColumns)`,
  );
}

/**
 * The cross-tab: grouped by the row dimensions, a column per value combination and metric —
 * the metric over that combination's rows only (`AGG(CASE WHEN <dimension> = v THEN x END)`,
 * so buckets pivot as grouped, and averages and distinct counts stay exact) — then each metric
 * over the whole row. With metric filters, only the rows of the groups (by every dimension)
 * that pass count, so an empty cell is a group the filter dropped. Post calculations follow
 * each combination's metrics, computed over its columns (pivot-post.ts), and the row totals'.
 */
function crossTab(
  query: ResolvedQuery,
  rows: ResolvedDimension[],
  spread: ResolvedDimension[],
  values: JsonScalar[][],
  columns: ColumnMeta[],
): { query: ResolvedQuery; columns: ColumnMeta[] } {
  const metaOf = new Map(columns.map((c) => [c.id, c]));
  const post = query.post ?? [];
  const combinations = values.map((combination) => {
    const condition = cellCondition(spread, combination);
    const suffix = combination.map((v) => (v === null ? NULL_VALUE : String(v))).join('|');
    const columnOf = (id: string): string => `${id}|${suffix}`;
    const meta = (id: string): ColumnMeta => ({
      ...metaOf.get(id)!,
      id: columnOf(id),
      pivot: { metric: id, values: combination },
    });
    return {
      columnOf,
      metrics: query.metrics.map((metric) => ({
        name: columnOf(metric.name),
        expression: restrict(metric.expression, condition),
      })),
      columns: [...query.metrics.map((m) => meta(m.name)), ...post.map((p) => meta(p.id))],
    };
  });
  const tabColumns = [
    ...rows.map((d) => metaOf.get(d.name)!),
    ...combinations.flatMap((c) => c.columns),
    ...query.metrics.map((m) => metaOf.get(m.name)!),
    ...post.map((p) => metaOf.get(p.id)!),
  ];
  const names = tabColumns.map((c) => c.id);
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i)
      throw validationError(
        'pivot.columns',
        `two columns of the pivot would be named ${JSON.stringify(name)}`,
      );
  });
  const spreadNames = new Set(spread.map((d) => d.name));
  return {
    query: {
      ...query,
      dimensions: rows,
      metrics: [...combinations.flatMap((c) => c.metrics), ...query.metrics],
      post: undefined,
      // Computed calculation by calculation (each over every column), listed after their metrics.
      ...(post.length > 0 && {
        post: spreadPost(
          post,
          combinations.map((c) => c.columnOf),
        ),
        columnOrder: names,
      }),
      having: undefined,
      keptGroups: query.having && { dimensions: query.dimensions, having: query.having },
      // Sorts on pivot dimensions ordered the columns (readValues).
      sorts: query.sorts.filter((s) => s.target.kind !== 'column' || !spreadNames.has(s.target.name)),
    },
    columns: tabColumns,
  };
}

/** The rows of one value combination: `= v` per dimension, `IS NULL` for a NULL value. */
function cellCondition(spread: ResolvedDimension[], combination: JsonScalar[]): Condition {
  const rules = spread.map((dimension, i): Condition => {
    const target = { kind: 'dimension' as const, dimension };
    const value = combination[i];
    if (value === null) return { kind: 'rule', target, operator: 'null', values: [] };
    return { kind: 'rule', target, operator: '=', values: [comparable(value, dimensionType(dimension))] };
  });
  return rules.length === 1 ? rules[0] : { kind: 'and', children: rules };
}

/**
 * A value as read back from the engine, as it binds again: engines write timestamps as ISO
 * instants (`…T10:00:00.000Z`), which the compiler's date and datetime casts take as
 * `YYYY-MM-DD[ HH:MM:SS.mmm]`. Other values bind as read.
 */
const comparable = (value: JsonScalar, type: ColumnType): JsonScalar =>
  type === 'date' || type === 'datetime' ? convertValue(value, type, 'pivot.columns') : value;

/** The metric over the cell's rows only: each aggregate's own filter and-ed with the cell's. */
const restrict = (expression: MetricExpression, cell: Condition): MetricExpression =>
  mapLeaves(expression, (leaf) => {
    if (leaf.kind === 'sql') throw new Error('SQL metrics cannot be pivoted (checkPivot refuses them)');
    return { ...leaf, filter: leaf.filter ? { kind: 'and', children: [leaf.filter, cell] } : cell };
  });
