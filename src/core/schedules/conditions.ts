import type { JsonScalar, QueryResult } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import {
  columnLabel,
  formatNumber,
  formatValue,
  isFloatColumn,
  withoutFloatNoise,
} from '../exports/present.ts';
import type {
  AlertCondition,
  AlertEvaluation,
  ConditionAggregation,
  ConditionOperator,
  ConditionResult,
} from './types.ts';

/**
 * Data-alert conditions on a query result. Each condition reduces one result column to a value
 * (see `conditionAggregations`) and compares it; the alert triggers only when all conditions hold.
 * Numbers compare numerically (a string threshold is read as a number); anything else compares
 * as text, which orders ISO dates correctly. A number computed from binary floats (a DOUBLE
 * column, or any sum or average taken here) is compared without its representation noise, as
 * people read it: 0.1 + 0.2 equals 0.3, and a DOUBLE sum of 31443.39000000001 is not above 31443.39.
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
    const reduced = reduce(
      condition,
      result.rows.map((row) => row[column] ?? null),
    );
    const float = isFloatColumn(result.columns[column]) || ARITHMETIC.has(condition.aggregation);
    const value = typeof reduced === 'number' && float ? withoutFloatNoise(reduced) : reduced;
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

const ARITHMETIC = new Set<ConditionAggregation>(['sum', 'avg']);

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
    case '>':
      return c > 0;
    case '<':
      return c < 0;
    case '>=':
      return c >= 0;
    case '<=':
      return c <= 0;
    case '=':
    case 'in':
      return values.some((v) => compare(value, v) === 0);
    case '!=':
    case 'not in':
      return values.every((v) => {
        const d = compare(value, v);
        return !Number.isNaN(d) && d !== 0;
      });
    case 'between':
      return c >= 0 && compare(value, values[1]) <= 0;
  }
}

const OPERATOR_WORDS: Record<ConditionOperator, string> = {
  '>': 'above',
  '<': 'below',
  '>=': 'at least',
  '<=': 'at most',
  '=': 'equal to',
  '!=': 'not equal to',
  between: 'between',
  in: 'one of',
  'not in': 'none of',
};

const ISO_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;

const AGGREGATION_WORDS: Record<Exclude<ConditionAggregation, 'first' | 'last'>, string> = {
  sum: 'Total',
  avg: 'Average',
  min: 'Lowest',
  max: 'Highest',
  count: 'Count of',
};

/**
 * Conditions as people read them in an alert's email, Slack message and log, with column labels
 * and numbers formatted: `Sum of price is 31,443.39 (above 1,000)`.
 */
export function describeConditions(evaluation: AlertEvaluation): string {
  return evaluation.conditions.map(describeCondition).join('; ');
}

/** `Sum of price`, `Sum of price (last row)`, `Highest sum of quantity`, `Count of country`. */
function subjectOf(condition: ConditionResult): string {
  const label = columnLabel(condition.field);
  if (condition.aggregation === 'first') return label;
  if (condition.aggregation === 'last') return `${label} (last row)`;
  return `${AGGREGATION_WORDS[condition.aggregation]} ${label.charAt(0).toLowerCase()}${label.slice(1)}`;
}

function describeCondition(condition: ConditionResult): string {
  // A first, last, lowest or highest value is one of the column's own: an identifier stays one.
  const column = ['first', 'last', 'min', 'max'].includes(condition.aggregation)
    ? condition.field
    : undefined;
  const numeric = typeof condition.value === 'number';
  const shown = (value: JsonScalar): string => {
    if (value === null) return 'empty';
    const number = Number(value);
    if (numeric && Number.isFinite(number)) return formatNumber(number, { column });
    return typeof value === 'string' && ISO_TIMESTAMP.test(value)
      ? formatValue(value, 'datetime')
      : String(value);
  };
  const bounds = condition.values.map(shown);
  const joined = condition.operator === 'between' ? bounds.join(' and ') : bounds.join(', ');
  return `${subjectOf(condition)} is ${shown(condition.value)} (${OPERATOR_WORDS[condition.operator]} ${joined})`;
}
