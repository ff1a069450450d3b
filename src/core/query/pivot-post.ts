import { validationError } from '../errors.ts';
import { forEachLeaf, mapLeaves } from './formula.ts';
import type { ResolvedDimension, ResolvedQuery } from './validate.ts';
import { periodDimension, type ResolvedPost } from './validate-post.ts';

/**
 * Post calculations in a pivot are computed once per spread column, over the rows (a running
 * total of `sum_quantity|A` down the rows gives `running|A`), and once over the row-total
 * columns. The cross-tab thus hands the staged plan (stages.ts) ordinary result ids: the pivot
 * dimensions are no longer rows, so what would need them as rows is a 400.
 */
export function checkPivotPost(query: ResolvedQuery, spread: ResolvedDimension[]): void {
  const spreadNames = new Set(spread.map((d) => d.name));
  // What has a column per value combination: metrics, then each calculation once checked.
  const pivoted = new Set(query.metrics.map((m) => m.name));
  (query.post ?? []).forEach((calculation, i) => {
    const path = `post[${i}]`;
    if (calculation.type === 'formula') {
      forEachLeaf(calculation.formula, ({ name }) => {
        if (!pivoted.has(name))
          throw validationError(
            `${path}.formula`,
            `${JSON.stringify(name)} is a dimension: in a pivot a formula is computed per column, over metrics and earlier post calculations only`,
          );
      });
    } else if ('partitionBy' in calculation) {
      calculation.partitionBy.forEach((name, j) => {
        if (spreadNames.has(name))
          throw validationError(
            `${path}.partitionBy[${j}]`,
            `"${name}" is a pivot column, not a row: each column's calculation is already its own`,
          );
      });
    } else {
      const period = periodDimension(query);
      if (period && spreadNames.has(period.name))
        throw validationError(
          `${path}.type`,
          `its period dimension "${period.name}" is a pivot column: previous periods are read down the rows`,
        );
    }
    pivoted.add(calculation.id);
  });
}

/**
 * Each calculation over every value combination's columns (`columnOfs`: a result id → that
 * combination's column), then over the row totals, as one group the staged plan computes in one
 * SELECT (post.ts): the copies read none of each other's columns.
 */
export function spreadPost(post: ResolvedPost[], columnOfs: Array<(id: string) => string>): ResolvedPost[] {
  return post.flatMap((calculation) => {
    const group = calculation.id;
    return [
      ...columnOfs.map((columnOf) => ({ ...copyFor(calculation, columnOf), group })),
      { ...calculation, group },
    ];
  });
}

/** A calculation for one column: its id, its metric and the ids its formula names, mapped. */
function copyFor(calculation: ResolvedPost, columnOf: (id: string) => string): ResolvedPost {
  const id = columnOf(calculation.id);
  if (calculation.type === 'formula') {
    const formula = mapLeaves(calculation.formula, (leaf) => ({ ...leaf, name: columnOf(leaf.name) }));
    return { ...calculation, id, formula };
  }
  return { ...calculation, id, of: columnOf(calculation.of) };
}
