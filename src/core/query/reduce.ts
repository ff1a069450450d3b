import type { CompiledQuery, JsonScalar, ResultColumn } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import { type CompiledSelect, type CompileOptions, compileResolved, wrapWhole } from './compile.ts';
import type { Model } from './model.ts';
import type { RunSql } from './totals.ts';
import type { ResolvedQuery } from './validate.ts';

/**
 * Reductions of a query's whole result to one value each (alert conditions), computed by the
 * warehouse over every row the query has — its own limit and offset applied, row policies
 * included, never the rows a row cap would have cut:
 * - `count` counts the column's non-NULL values; `sum`, `avg`, `min`, `max` ignore NULLs, and an
 *   empty result gives NULL;
 * - `first` / `last` take the value of the first / last row in the query's order, NULL included.
 */
export const reductionKinds = ['sum', 'avg', 'min', 'max', 'count', 'first', 'last'] as const;
export type ReductionKind = (typeof reductionKinds)[number];
type AggregateKind = Exclude<ReductionKind, 'first' | 'last'>;

export interface Reduction {
  /** A result column id. */
  field: string;
  aggregation: ReductionKind;
}

export interface ReducedValue {
  value: JsonScalar;
  /**
   * The column the value came in, as the engine typed it: a sum of DOUBLEs is a DOUBLE with
   * representation noise, a sum of DECIMALs an exact decimal.
   */
  column: ResultColumn;
}

export interface ReducedResult {
  /** The rows of the whole result. */
  rows: number;
  /** One per reduction, in order. */
  values: ReducedValue[];
}

/**
 * `SELECT COUNT(*), <aggregate>(column), … FROM (<the whole query>)`: the row count, then one
 * aggregate per entry (averages in floating point, as the query's own `avg` is).
 */
export function compileReductions(
  model: Model,
  query: ResolvedQuery,
  options: CompileOptions,
  aggregates: Array<{ column: string; aggregation: AggregateKind }>,
): CompiledQuery {
  return wrapWhole(model, query, options, (inner, dialect) => {
    const { quote, resultAlias } = dialect;
    const select = [
      `COUNT(*) AS ${quote('rows')}`,
      ...aggregates.map(({ column, aggregation }, i) => {
        const value = `${quote('whole')}.${resultAlias(column)}`;
        const sql =
          aggregation === 'avg'
            ? `AVG(CAST(${value} AS ${dialect.types.float}))`
            : `${aggregation.toUpperCase()}(${value})`;
        return `${sql} AS ${quote(`r${i}`)}`;
      }),
    ];
    return `SELECT ${select.join(', ')} FROM (\n${inner}\n) AS ${quote('whole')}`;
  });
}

/** The one row at `position` (0-based) of the whole result, in the query's order. */
export const compileRowAt = (
  model: Model,
  query: ResolvedQuery,
  options: CompileOptions,
  position: number,
): CompiledSelect => compileResolved(model, { ...query, limit: 1, offset: query.offset + position }, options);

const numeric = new Set(['integer', 'number']);
const orderable = new Set(['integer', 'number', 'string', 'date', 'datetime']);

/**
 * The reductions of `query` (whose result columns are `columns`, by id), errors naming
 * `<path>[i].field` or `.aggregation`. Three statements at most: the first row (which also types
 * the columns), the row count with the aggregates, and the last row when a reduction takes it.
 */
export async function reduceQuery(
  model: Model,
  query: ResolvedQuery,
  columns: string[],
  options: CompileOptions,
  reductions: Reduction[],
  run: RunSql,
  path = 'reductions',
): Promise<ReducedResult> {
  const indexes = reductions.map(({ field }, i) => {
    const index = columns.indexOf(field);
    if (index < 0) {
      throw validationError(
        `${path}[${i}].field`,
        `no result column "${field}" (columns: ${columns.join(', ')})`,
      );
    }
    return index;
  });
  const first = await run(compileRowAt(model, query, options, 0), 1);
  reductions.forEach(({ field, aggregation }, i) => {
    const { type } = first.columns[indexes[i]];
    const fits =
      aggregation === 'sum' || aggregation === 'avg'
        ? numeric
        : aggregation === 'min' || aggregation === 'max'
          ? orderable
          : undefined;
    if (fits && !fits.has(type)) {
      const needed = fits === numeric ? 'a numeric column' : 'a number, text or date column';
      throw validationError(
        `${path}[${i}].aggregation`,
        `"${aggregation}" needs ${needed}; "${field}" is ${type}`,
      );
    }
  });
  const aggregates = reductions.flatMap(({ field, aggregation }) =>
    aggregation === 'first' || aggregation === 'last' ? [] : [{ column: field, aggregation }],
  );
  const totals = await run(compileReductions(model, query, options, aggregates), 1);
  const rows = Number(totals.rows[0][0]);
  const last =
    rows > 0 && reductions.some((r) => r.aggregation === 'last')
      ? await run(compileRowAt(model, query, options, rows - 1), 1)
      : undefined;
  let aggregate = 0;
  const values = reductions.map(({ aggregation }, i): ReducedValue => {
    if (aggregation === 'first' || aggregation === 'last') {
      const row = (aggregation === 'first' ? first : last)?.rows[0];
      return { value: row?.[indexes[i]] ?? null, column: first.columns[indexes[i]] };
    }
    aggregate += 1;
    return { value: totals.rows[0][aggregate] ?? null, column: totals.columns[aggregate] };
  });
  return { rows, values };
}
