import type { ColumnType } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import { hasNul, NUL_PROBLEM } from '../storable.ts';
import { dimensionType } from './columns.ts';
import { requireCapability, type SqlDialect } from './dialects.ts';
import { type FilterScope, resolveFilter } from './filters.ts';
import { type Arithmetic, forEachLeaf, mapNames, parseFormula } from './formula.ts';
import { type Period, periods, type QueryIr } from './ir.ts';
import type { MetricExpression } from './resolve.ts';
import type { ResolvedDimension, ResolvedQuery } from './validate.ts';

/**
 * The stages after grouping (ir.ts `post`, `top`, `postFilters`) checked against the grouped
 * query: every name they use must be a result id of it. They compile to CTEs (stages.ts).
 */

/**
 * A post calculation with its names checked; a formula's names are result ids. Consecutive
 * calculations of one `group` read none of each other's columns and are computed in one SELECT:
 * the copies of one calculation over a pivot's columns (pivot-post.ts).
 */
export type ResolvedPost = (
  | {
      id: string;
      type: 'running_total' | 'percent_of_total' | 'rank';
      of: string;
      partitionBy: string[];
      ascending: boolean;
    }
  | { id: string; type: 'previous_period' | 'difference' | 'percent_change'; of: string }
  | { id: string; type: 'formula'; formula: ResultFormula }
) & { group?: string };

export type ResultFormula = Arithmetic<{ kind: 'result'; name: string }>;

/** Top N on a dimension of the query (its result id) by a metric of the query (its result id). */
export interface ResolvedTop {
  dimension: string;
  by: string;
  n: number;
  others: boolean;
  bottom: boolean;
}

type PostStage = Pick<ResolvedQuery, 'post' | 'top' | 'postWhere'>;

/**
 * A 400 when the query needs the staged plan (stages.ts: CTEs, and window functions for running
 * totals, shares, ranks and top N) that the engine lacks (ClickHouse before 20.x).
 */
export function requireStages(dialect: SqlDialect, ir: QueryIr): void {
  if (ir.top) requireCapability(dialect, 'stages', 'top', 'top N');
  if (ir.post?.length) requireCapability(dialect, 'stages', 'post', 'post calculations');
  if (ir.postFilters) requireCapability(dialect, 'stages', 'postFilters', 'post filters');
}

/** The hidden column of the grouped stage that tells the folded `Others` row (top-n.ts). */
export const OTHERS_FLAG = '__others';

export function resolvePostStage(ir: QueryIr, query: ResolvedQuery, scope: FilterScope): PostStage {
  const stage: PostStage = {};
  if (!ir.post?.length && !ir.top && !ir.postFilters) return stage;
  const field = ir.top ? 'top' : ir.post?.length ? 'post' : 'postFilters';
  if (!query.aggregate) throw validationError(field, 'needs "aggregate": true');
  if (ir.top) stage.top = resolveTop(ir.top, query);
  if (stage.top?.others) {
    const clash = [...query.dimensions, ...query.metrics].findIndex((c) => c.name === OTHERS_FLAG);
    if (clash >= 0) throw validationError('top.others', `the result name "${OTHERS_FLAG}" is reserved`);
  }
  const resolved = { ...query, ...stage };
  if (ir.post?.length) stage.post = resolvePost(ir, resolved);
  if (ir.postFilters) {
    const results = resultTypes({ ...resolved, ...stage });
    stage.postWhere = resolveFilter(ir.postFilters, 'postFilters', { ...scope, results }).where;
  }
  return stage;
}

/**
 * The dimension that previous-period calculations step back along: the first one bucketed by a
 * period (year … minute). Undefined when the query has none.
 */
export function periodDimension(
  query: ResolvedQuery,
): (ResolvedDimension & { granularity: Period }) | undefined {
  return query.dimensions.find(
    (d): d is ResolvedDimension & { granularity: Period } =>
      d.granularity !== undefined && (periods as readonly string[]).includes(d.granularity),
  );
}

/** A dimension's type in the result: a dimension folded into `Others` is text. */
export function resultDimensionType(query: ResolvedQuery, dimension: ResolvedDimension): ColumnType {
  return query.top?.others && query.top.dimension === dimension.name ? 'string' : dimensionType(dimension);
}

function resolveTop(top: NonNullable<QueryIr['top']>, query: ResolvedQuery): ResolvedTop {
  const named = query.dimensions.filter((d) => d.name === top.dimension);
  // Like sorts, the field of exactly one dimension names that dimension.
  const byField = query.dimensions.filter(
    (d) => d.field.address === top.dimension || d.field.address.endsWith(`.${top.dimension}`),
  );
  const [dimension] = named.length > 0 ? named : byField;
  if (!dimension || (named.length === 0 && byField.length > 1)) {
    const problem = dimension ? 'ambiguous: name one of the dimensions' : 'expected a dimension of the query';
    throw validationError('top.dimension', `${problem} (${query.dimensions.map((d) => d.name).join(', ')})`);
  }
  if (!query.metrics.some((m) => m.name === top.by)) {
    throw validationError(
      'top.by',
      `expected a metric of the query (${query.metrics.map((m) => m.name).join(', ') || 'none'})`,
    );
  }
  return {
    dimension: dimension.name,
    by: top.by,
    n: top.n,
    others: top.others ?? false,
    bottom: top.bottom ?? false,
  };
}

function resolvePost(ir: QueryIr, query: ResolvedQuery): ResolvedPost[] {
  const dimensions = query.dimensions.map((d) => d.name);
  const metrics = query.metrics.map((m) => m.name);
  const taken = new Set([...dimensions, ...metrics]);
  const types = new Map<string, ColumnType>([
    ...query.dimensions.map((d): [string, ColumnType] => [d.name, resultDimensionType(query, d)]),
    ...query.metrics.map((m): [string, ColumnType] => [m.name, metricType(m.expression)]),
  ]);
  const isNumeric = (name: string): boolean => numericTypes.includes(types.get(name)!);
  return (ir.post ?? []).map((calculation, i): ResolvedPost => {
    const path = `post[${i}]`;
    const { id } = calculation;
    if (id === '' || hasNul(id))
      throw validationError(`${path}.id`, id === '' ? 'expected a non-empty id' : NUL_PROBLEM);
    if (taken.has(id) || id === OTHERS_FLAG)
      throw validationError(`${path}.id`, `result column ${JSON.stringify(id)} already exists`);
    taken.add(id);
    if (calculation.type === 'formula') {
      const formula = mapNames(parseFormula(calculation.formula, `${path}.formula`), (name) => ({
        kind: 'result' as const,
        name,
      }));
      forEachLeaf(formula, ({ name }) => {
        if (!types.has(name) || !isNumeric(name)) {
          throw validationError(
            `${path}.formula`,
            `${JSON.stringify(name)} is not a metric, a numeric dimension or an earlier post calculation`,
          );
        }
      });
      types.set(id, 'number');
      return { id, type: 'formula', formula };
    }
    const { of } = calculation;
    if (!metrics.includes(of)) {
      throw validationError(`${path}.of`, `expected a metric of the query (${metrics.join(', ') || 'none'})`);
    }
    // Sums and differences need numbers; a rank or a previous value of a date (a min) is fine.
    if (!isNumeric(of) && calculation.type !== 'rank' && calculation.type !== 'previous_period') {
      throw validationError(
        `${path}.of`,
        `"${calculation.type}" needs a numeric metric; ${of} is a ${types.get(of)}`,
      );
    }
    types.set(id, postType(calculation.type, types.get(of)!));
    switch (calculation.type) {
      case 'previous_period':
      case 'difference':
      case 'percent_change':
        checkPeriod(query, calculation.type, path);
        return { id, type: calculation.type, of: calculation.of };
      default: {
        const partitionBy = (calculation.partitionBy ?? []).map((name, j) => {
          if (!dimensions.includes(name))
            throw validationError(
              `${path}.partitionBy[${j}]`,
              `expected a dimension of the query (${dimensions.join(', ') || 'none'})`,
            );
          return name;
        });
        const { type, of, ascending = false } = calculation;
        return { id, type, of, partitionBy, ascending };
      }
    }
  });
}

/** Previous-period calculations step back along a period dimension that keeps its dates. */
function checkPeriod(query: ResolvedQuery, type: string, path: string): void {
  const period = periodDimension(query);
  if (!period)
    throw validationError(
      `${path}.type`,
      `"${type}" needs a dimension bucketed by a period (${periods.join(', ')})`,
    );
  if (query.top?.others && query.top.dimension === period.name)
    throw validationError(
      `${path}.type`,
      `its period dimension "${period.name}" is folded into "Others" by top`,
    );
}

const numericTypes: ColumnType[] = ['integer', 'number'];

/**
 * The type of a metric's values: a count is an integer, a sum, min or max keeps its field's type
 * (the min of a date is a date), anything else (averages, spreads, formulas) is a number.
 */
export function metricType(expression: MetricExpression): ColumnType {
  if (expression.kind === 'sql') return expression.type;
  if (expression.kind !== 'aggregate') return 'number';
  const { aggregation, field } = expression;
  if (aggregation === 'count' || aggregation === 'count_distinct') return 'integer';
  if (field && ['sum', 'min', 'max'].includes(aggregation)) return field.type;
  return 'number';
}

/** The type of a post calculation's values, given its metric's. */
const postType = (type: ResolvedPost['type'], of: ColumnType): ColumnType =>
  type === 'rank' ? 'integer' : type === 'previous_period' ? of : 'number';

/** Every result id and the type its filter values are checked against (`metric`: a number). */
function resultTypes(query: ResolvedQuery): Map<string, ColumnType | 'metric'> {
  const filterType = (type: ColumnType): ColumnType | 'metric' =>
    numericTypes.includes(type) ? 'metric' : type;
  const metrics = new Map(query.metrics.map((m) => [m.name, metricType(m.expression)]));
  return new Map<string, ColumnType | 'metric'>([
    ...query.dimensions.map((d): [string, ColumnType] => [d.name, resultDimensionType(query, d)]),
    ...[...metrics].map(([name, type]): [string, ColumnType | 'metric'] => [name, filterType(type)]),
    ...(query.post ?? []).map((p): [string, ColumnType | 'metric'] => [
      p.id,
      filterType(p.type === 'formula' ? 'number' : postType(p.type, metrics.get(p.of)!)),
    ]),
  ]);
}
