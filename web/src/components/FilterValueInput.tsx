import type { DashboardVariable, FilterValueOrVariable, Scalar } from '../types.ts';

/**
 * The values of a widget editor's filter row: typed values ("a, b"), or one of the dashboard's
 * variables, which the query takes as `{"variable": name}` and the view fills in.
 */
export interface FilterValueRow {
  operator: string;
  /** Comma-separated values, used when no variable is chosen. */
  value: string;
  /** A dashboard variable's name, or '' for typed values. */
  variable: string;
}

const takesValues = (operator: string) => operator !== 'null' && operator !== 'not null';

/** The row's filter values, typed values converted to the field's type. */
export function filterValues(row: FilterValueRow, type: string | undefined): FilterValueOrVariable[] {
  if (!takesValues(row.operator)) return [];
  if (row.variable) return [{ variable: row.variable }];
  const parts = row.value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (type === 'integer' || type === 'number')
    return parts.map((p) => (Number.isFinite(Number(p)) ? Number(p) : p));
  if (type === 'boolean') return parts.map((p) => p === 'true');
  return parts;
}

/** A saved rule's values as a row: its variable if it names one, else its values as text. */
export function filterValueRow(values: FilterValueOrVariable[]): Pick<FilterValueRow, 'value' | 'variable'> {
  const ref = values.find((v): v is { variable: string } => typeof v === 'object' && v !== null);
  if (ref) return { value: '', variable: ref.variable };
  return { value: (values as Scalar[]).map(String).join(', '), variable: '' };
}

export function FilterValueInput(props: {
  /** The row's number, from 1, for the labels. */
  number: number;
  row: FilterValueRow;
  variables: DashboardVariable[];
  onChange: (change: Pick<FilterValueRow, 'value' | 'variable'>) => void;
}) {
  const { row, number } = props;
  if (!takesValues(row.operator)) return null;
  // A variable the dashboard no longer has stays listed, so the row shows what the query says.
  const names = props.variables.map((v) => v.name);
  if (row.variable && !names.includes(row.variable)) names.push(row.variable);
  return (
    <>
      {names.length > 0 && (
        <select
          aria-label={`Filter ${number} value or variable`}
          value={row.variable}
          onChange={(e) => props.onChange({ value: row.value, variable: e.target.value })}
        >
          <option value="">Values</option>
          {names.map((name) => (
            <option key={name} value={name}>
              Variable {name}
            </option>
          ))}
        </select>
      )}
      {!row.variable && (
        <input
          aria-label={`Filter ${number} values`}
          placeholder="value, value…"
          value={row.value}
          onChange={(e) => props.onChange({ value: e.target.value, variable: '' })}
        />
      )}
    </>
  );
}
