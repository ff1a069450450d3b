import type { JsonScalar } from '../../engines/types.ts';
import {
  columnLabel,
  formatNumber,
  formatValue,
  isFloatColumn,
  withoutFloatNoise,
} from '../exports/present.ts';
import type { ReducedResult } from '../query/index.ts';
import type {
  AlertCondition,
  AlertEvaluation,
  ConditionAggregation,
  ConditionOperator,
  ConditionResult,
} from './types.ts';

/**
 * Data-alert conditions on the reductions of a query's whole result, one per condition, which
 * the warehouse computed (query/reduce.ts: `QueryService.reduce`); the alert triggers only when
 * all conditions hold. Numbers compare numerically (a string threshold is read as a number);
 * anything else compares as text, which orders ISO dates correctly. A number that came in a
 * binary-float column (a DOUBLE, or a sum or average of DOUBLEs) is compared without its
 * representation noise, as people read it: a DOUBLE sum of 31443.39000000001 is not above
 * 31443.39, while a sum of exact decimals stays exact.
 */
export function evaluateConditions(reduced: ReducedResult, conditions: AlertCondition[]): AlertEvaluation {
  const evaluated = conditions.map((condition, i): ConditionResult => {
    const value = comparable(reduced.values[i]);
    return {
      ...condition,
      value,
      holds: value !== null && holds(value, condition.operator, condition.values),
    };
  });
  return { triggered: evaluated.every((c) => c.holds), rows: reduced.rows, conditions: evaluated };
}

/** A float without its noise; a number too large for a double, which engines send as text, as a number. */
function comparable({ value, column }: ReducedResult['values'][number]): JsonScalar {
  if (typeof value === 'number') return isFloatColumn(column) ? withoutFloatNoise(value) : value;
  const numeric = column.type === 'integer' || column.type === 'number';
  return numeric && typeof value === 'string' && Number.isFinite(Number(value)) ? Number(value) : value;
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
