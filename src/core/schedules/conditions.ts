import type { JsonScalar, QueryResult } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import type { AlertCondition, AlertEvaluation, ConditionOperator, ConditionResult } from './types.ts';

/**
 * Data-alert conditions on a query result. Each condition reduces one result column to a value
 * (see `conditionAggregations`) and compares it; the alert triggers only when all conditions hold.
 * Numbers compare numerically (a string threshold is read as a number); anything else compares
 * as text, which orders ISO dates correctly.
 */
export function evaluateConditions(
  result: Pick<QueryResult, 'columns' | 'rows'>,
  conditions: AlertCondition[],
): AlertEvaluation {
  const evaluated = conditions.map((condition, i): ConditionResult => {
    const column = result.columns.findIndex((c) => c.name === condition.field);
    if (column < 0) {
      const names = result.columns.map((c) => c.name).join(', ');
      throw validationError(
        `conditions[${i}].field`,
        `no result column "${condition.field}" (columns: ${names})`,
      );
    }
    const value = reduce(
      condition,
      result.rows.map((row) => row[column] ?? null),
    );
    return {
      ...condition,
      value,
      holds: value !== null && holds(value, condition.operator, condition.values),
    };
  });
  return {
    triggered: evaluated.every((c) => c.holds),
    rows: result.rows.length,
    conditions: evaluated,
  };
}

function reduce(condition: AlertCondition, values: JsonScalar[]): JsonScalar {
  const present = values.filter((v) => v !== null);
  const numbers = present.map(Number).filter((n) => Number.isFinite(n));
  switch (condition.aggregation) {
    case 'count':
      return present.length;
    case 'first':
      return values.length > 0 ? values[0] : null;
    case 'last':
      return values.length > 0 ? values[values.length - 1] : null;
    case 'sum':
      return numbers.length > 0 ? numbers.reduce((a, b) => a + b, 0) : null;
    case 'avg':
      return numbers.length > 0 ? numbers.reduce((a, b) => a + b, 0) / numbers.length : null;
    case 'min':
      return numbers.length > 0 ? numbers.reduce((a, b) => Math.min(a, b)) : null;
    case 'max':
      return numbers.length > 0 ? numbers.reduce((a, b) => Math.max(a, b)) : null;
  }
}

function compare(value: JsonScalar, threshold: JsonScalar): number {
  if (typeof value === 'number') {
    const other = Number(threshold);
    return Number.isNaN(other) ? Number.NaN : value - other;
  }
  const [a, b] = [String(value), String(threshold)];
  return a < b ? -1 : a > b ? 1 : 0;
}

function holds(value: JsonScalar, operator: ConditionOperator, values: JsonScalar[]): boolean {
  const c = compare(value, values[0]);
  switch (operator) {
    case 'greater_than':
      return c > 0;
    case 'less_than':
      return c < 0;
    case 'greater_or_equal':
      return c >= 0;
    case 'less_or_equal':
      return c <= 0;
    case 'equals':
      return c === 0;
    case 'not_equals':
      return !Number.isNaN(c) && c !== 0;
    case 'between':
      return c >= 0 && compare(value, values[1]) <= 0;
  }
}
