import { useEffect, useState } from 'react';
import { columnLabel, isNumeric } from '../../../src/core/exports/present.ts';
import { describeConditions } from '../../../src/core/schedules/conditions.ts';
import type { AlertEvaluation, AlertCondition as Condition } from '../../../src/core/schedules/types.ts';
import { api, errorMessage } from '../api.ts';
import type { QueryResult, Scalar } from '../types.ts';
import { RemoveButton } from './RemoveButton.tsx';

/*
 * An alert's conditions on a widget's result: a metric column (by its label), how its rows become
 * one value, a comparison in the query filters' vocabulary, and the value(s) to compare with. The
 * server evaluates them as the alert's runs will, over the widget's whole result (the rows on
 * screen may be cut by the row cap), so the dialog says whether the alert would fire now.
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

/** What an alert checks besides its conditions, as `POST /alerts/preview` takes it. */
export interface AlertScope {
  target: { widget: { dashboard: number; widget: string } };
  filterValues: Record<string, unknown>;
  /** A saved alert's own filter rules and variable values, which the dialog keeps as they are. */
  filters?: unknown[];
  variables?: Record<string, unknown>;
}

/** How long the dialog waits after the last edit before asking the server again. */
const PREVIEW_DELAY_MS = 300;

const complete = (c: Condition) => (c.operator === 'between' ? c.values.length === 2 : c.values.length > 0);

/** "Sum of quantity is 4,311 (above 1,000): the alert would fire now." */
const sentence = (evaluation: AlertEvaluation) =>
  `${describeConditions(evaluation)}: the alert would ${evaluation.triggered ? '' : 'not '}fire now.`;

/**
 * The server's verdict on the conditions, asked for once edits pause; `busy` while the text shown
 * answers an earlier version of them.
 */
function useVerdict(scope: AlertScope, rows: ConditionRow[]): { text: string; busy: boolean } {
  const conditions = rows.map(conditionOf);
  const request = conditions.every(complete) ? JSON.stringify({ ...scope, conditions }) : null;
  const [answer, setAnswer] = useState<{ request: string; text: string } | null>(null);
  useEffect(() => {
    if (request === null) return;
    const abort = new AbortController();
    const timer = setTimeout(() => {
      api<{ evaluation: AlertEvaluation }>('POST', '/alerts/preview', JSON.parse(request), {
        signal: abort.signal,
      })
        .then(({ evaluation }) => setAnswer({ request, text: sentence(evaluation) }))
        .catch((error) => {
          if (!abort.signal.aborted) setAnswer({ request, text: errorMessage(error) });
        });
    }, PREVIEW_DELAY_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [request]);
  if (request === null)
    return { text: 'Give every condition its value to see whether the alert would fire now.', busy: false };
  if (!answer) return { text: 'Checking the data…', busy: true };
  return { text: answer.text, busy: answer.request !== request };
}

export function AlertConditions(props: {
  rows: ConditionRow[];
  /** The widget's result on screen: the columns to choose from. */
  result: QueryResult | null;
  scope: AlertScope;
  onChange: (rows: ConditionRow[]) => void;
}) {
  const { rows, result } = props;
  const verdict = useVerdict(props.scope, rows);
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
      <p className="muted" role="status" data-testid="alert-verdict" aria-busy={verdict.busy}>
        {verdict.text}
      </p>
    </fieldset>
  );
}
