import type { CompiledQuery, JsonScalar, QueryResult } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import { type CompileOptions, compileResolved } from './compile.ts';
import type { Totals } from './ir.ts';
import type { Model } from './model.ts';
import type { ResolvedDimension, ResolvedQuery } from './validate.ts';

/** Runs one compiled statement, reading at most `rowCap` rows (the engine, through the cache). */
/** Runs a compiled statement the plan adds, reading at most `rowCap` rows (totals, pivot values, reductions). */
export type RunSql = (query: CompiledQuery, rowCap: number) => Promise<QueryResult>;

export interface TotalsAnswer {
  /** Each metric (each column of a pivot's cross-tab) over every row the filters keep. */
  totals: Record<string, JsonScalar>;
  /** Per subtotal dimension id, one row object per value of that dimension. */
  subtotals?: Record<string, Array<Record<string, JsonScalar>>>;
}

/**
 * Totals and subtotals, computed in SQL from the rows, never added up from the returned groups
 * (which the row cap may have cut, and whose averages and distinct counts do not add up): the
 * query's metrics without its dimensions, and per subtotal dimension grouped by it alone, under
 * the same WHERE and row policies. A formula metric is computed from the totals of its parts (a
 * ratio of sums). With metric filters (HAVING) they cover the rows of the groups that pass.
 *
 * `query` is what the answer's rows come from (a pivot's cross-tab, whose spread columns get
 * totals too); `dimensions` are the query's own, which subtotals may name.
 *
 * One grouped statement per total rather than GROUPING SETS: MariaDB has none, so one way to
 * write them keeps the three engines' numbers the same; the statements run side by side.
 */
export async function computeTotals(
  model: Model,
  query: ResolvedQuery,
  totals: Totals,
  options: CompileOptions & { dimensions?: ResolvedDimension[] },
  run: RunSql,
): Promise<TotalsAnswer> {
  const dimensions = options.dimensions ?? query.dimensions;
  checkTotals(query);
  const bys = (totals.subtotals ?? []).map((id, i) => subtotalDimension(query, dimensions, id, i));
  const [grand, ...subtotals] = await Promise.all(
    [[], ...bys.map((by) => [by])].map(async (groupBy) => {
      const compiled = compileResolved(model, totalsQuery(query, groupBy), options);
      return run(compiled, compiled.rowCap);
    }),
  );
  const names = query.metrics.map((m) => m.name);
  const answer: TotalsAnswer = { totals: rowObject(names, grand.rows[0] ?? names.map(() => null)) };
  if (bys.length === 0) return answer;
  answer.subtotals = {};
  bys.forEach((by, i) => {
    const { rows, truncated } = subtotals[i];
    if (truncated) {
      throw validationError(
        `totals.subtotals[${i}]`,
        `"${by.name}" has more values than the ${options.maxRows} rows a query may return`,
      );
    }
    answer.subtotals![by.name] = rows.map((row) => rowObject([by.name, ...names], row));
  });
  return answer;
}

const rowObject = (names: string[], row: JsonScalar[]): Record<string, JsonScalar> =>
  Object.fromEntries(names.map((name, i) => [name, row[i]]));

/**
 * What totals cannot be exact for is refused: a top N without `others` or post filters drop rows
 * by a rule totals would have to repeat (the totals of every row, or of the rows shown, would be
 * a guess at what the caller meant).
 */
function checkTotals(query: ResolvedQuery): void {
  if (query.metrics.length === 0) throw validationError('totals', 'totals need at least one metric');
  if (query.top && !query.top.others) {
    throw validationError(
      'totals',
      'totals with a top N that drops the other values are not supported; add "others": true (the totals then cover every row)',
    );
  }
  if (query.postWhere) throw validationError('totals', 'totals with post filters are not supported');
}

function subtotalDimension(
  query: ResolvedQuery,
  dimensions: ResolvedDimension[],
  id: string,
  i: number,
): ResolvedDimension {
  const path = `totals.subtotals[${i}]`;
  const dimension = dimensions.find((d) => d.name === id);
  if (!dimension) {
    throw validationError(
      path,
      `unknown dimension id ${JSON.stringify(id)} (the query's dimensions: ${dimensions.map((d) => d.name).join(', ')})`,
    );
  }
  // Grouped by the dimension's own values, the Others row would become every folded value.
  if (query.top?.dimension === id)
    throw validationError(path, `subtotals by the top N dimension "${id}" are not supported`);
  return dimension;
}

/**
 * The query's metrics grouped by `groupBy` (none: the grand totals), ordered by it; the rows of
 * groups a metric filter drops are left out by joining the rows to the groups that pass.
 */
export function totalsQuery(query: ResolvedQuery, groupBy: ResolvedDimension[]): ResolvedQuery {
  const { having, keptGroups } = query;
  return {
    ...query,
    dimensions: groupBy,
    having: undefined,
    keptGroups: keptGroups ?? (having && { dimensions: query.dimensions, having }),
    // The Others fold regroups the same rows: totals over them are the totals of every row.
    post: undefined,
    top: undefined,
    postWhere: undefined,
    sorts: [],
    limit: undefined,
    offset: 0,
  };
}
