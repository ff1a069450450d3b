import { columnLabel, isNumeric } from '../../../src/core/exports/present.ts';
import { describeConditions, evaluateConditions } from '../../../src/core/schedules/conditions.ts';
import type { AlertCondition as Condition } from '../../../src/core/schedules/types.ts';
import { errorMessage } from '../api.ts';
import type { QueryResult, Scalar } from '../types.ts';
import { RemoveButton } from './RemoveButton.tsx';

/*
 * An alert's conditions on a widget's result: a metric column (by its label), how its rows become
 * one value, a comparison in the query filters' vocabulary, and the value(s) to compare with. The
 * rows on screen are evaluated as the server will, so the dialog says whether the alert would
 * fire now.
 */

export interface ConditionRow {
  field: string;
  aggregation: Condition['aggregation'];
  operator: Condition['operator'];
  /** Typed: one value, "low, high" for between, a list for in / not in. */
  values: string;
}

const OPERATORS: { id: Condition['operator']; label: string }[] = [
  { id: '>', label: 'is above' },
  { id: '>=', label: 'is at least' },
  { id: '<', label: 'is below' },
  { id: '<=', label: 'is at most' },
  { id: '=', label: 'equals' },
  { id: '!=', label: 'does not equal' },
  { id: 'between', label: 'is between' },
  { id: 'in', label: 'is one of' },
  { id: 'not in', label: 'is none of' },
];

const AGGREGATIONS: { id: Condition['aggregation']; label: string }[] = [
  { id: 'first', label: 'first row' },
  { id: 'last', label: 'last row' },
  { id: 'sum', label: 'total' },
  { id: 'avg', label: 'average' },
  { id: 'min', label: 'lowest' },
  { id: 'max', label: 'highest' },
  { id: 'count', label: 'count' },
];

/** The columns an alert watches: the metrics (numeric columns), or every column when none is. */
export function watchedColumns(result: QueryResult | null): string[] {
  const columns = result?.columns ?? [];
  const numeric = columns.filter((c) => isNumeric(c.type));
  return (numeric.length ? numeric : columns).map((c) => c.name);
}

/** A new condition on the first metric: its one value, or the total of several rows. */
export const newCondition = (result: QueryResult | null): ConditionRow => ({
  field: watchedColumns(result)[0] ?? '',
  aggregation: (result?.rows.length ?? 0) > 1 ? 'sum' : 'first',
  operator: '>',
  values: '',
});

const typed = (text: string): Scalar => (text !== '' && Number.isFinite(Number(text)) ? Number(text) : text);

export function conditionOf(row: ConditionRow): Condition {
  const parts = row.values
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  return { field: row.field, aggregation: row.aggregation, operator: row.operator, values: parts.map(typed) };
}

export const rowOf = (condition: Condition): ConditionRow => ({
  ...condition,
  values: condition.values.map(String).join(', '),
});

/** "Sum of quantity is 4,311 (above 1,000): the alert would fire now", or why it cannot say. */
function verdict(result: QueryResult | null, rows: ConditionRow[]): string {
  if (!result) return 'Loading the widget’s data…';
  const conditions = rows.map(conditionOf);
  const wanted = (c: Condition) => (c.operator === 'between' ? c.values.length === 2 : c.values.length > 0);
  if (!conditions.every(wanted))
    return 'Give every condition its value to see how the data on screen compares.';
  try {
    // The server's column types are the engine's; the screen's result carries the same names.
    const evaluation = evaluateConditions(result as Parameters<typeof evaluateConditions>[0], conditions);
    const now = evaluation.triggered ? 'the alert would fire now' : 'the alert would not fire now';
    return `${describeConditions(evaluation)}: ${now}.`;
  } catch (error) {
    return errorMessage(error);
  }
}

export function AlertConditions(props: {
  rows: ConditionRow[];
  result: QueryResult | null;
  onChange: (rows: ConditionRow[]) => void;
}) {
  const { rows, result } = props;
  const columns = watchedColumns(result);
  const set = (i: number, change: Partial<ConditionRow>) =>
    props.onChange(rows.map((row, j) => (j === i ? { ...row, ...change } : row)));
  return (
    <fieldset>
      <legend>Alert when (all of these hold)</legend>
      {rows.map((row, i) => {
        const n = i + 1;
        const choices = columns.includes(row.field) || !row.field ? columns : [row.field, ...columns];
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their place
          <div className="row" key={i}>
            <select
              aria-label={`Condition ${n} column`}
              value={row.field}
              onChange={(e) => set(i, { field: e.target.value })}
            >
              {choices.map((name) => (
                <option key={name} value={name}>
                  {columnLabel(name)}
                </option>
              ))}
            </select>
            <select
              aria-label={`Condition ${n} rows`}
              value={row.aggregation}
              onChange={(e) => set(i, { aggregation: e.target.value as ConditionRow['aggregation'] })}
            >
              {AGGREGATIONS.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.label}
                </option>
              ))}
            </select>
            <select
              aria-label={`Condition ${n} comparison`}
              value={row.operator}
              onChange={(e) => set(i, { operator: e.target.value as ConditionRow['operator'] })}
            >
              {OPERATORS.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.label} ({o.id})
                </option>
              ))}
            </select>
            <input
              aria-label={`Condition ${n} value`}
              required
              placeholder={
                row.operator === 'between' ? 'low, high' : row.operator.includes('in') ? 'a, b, c' : 'value'
              }
              value={row.values}
              onChange={(e) => set(i, { values: e.target.value })}
            />
            {rows.length > 1 && (
              <RemoveButton
                label={`Remove condition ${n}`}
                onClick={() => props.onChange(rows.filter((_, j) => j !== i))}
              />
            )}
          </div>
        );
      })}
      <p>
        <button
          type="button"
          className="link"
          onClick={() => props.onChange([...rows, newCondition(result)])}
        >
          + Add a condition
        </button>
      </p>
      <p className="muted" role="status" data-testid="alert-verdict">
        {verdict(result, rows)}
      </p>
    </fieldset>
  );
}
