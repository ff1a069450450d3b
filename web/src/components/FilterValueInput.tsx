import type { DashboardVariable } from '../types.ts';
import { type FilterValueRow, takesValues } from './query-filter-draft.ts';

export function FilterValueInput(props: {
  /** What the labels call the row (`Filter 2`). */
  label: string;
  row: FilterValueRow;
  variables: DashboardVariable[];
  onChange: (change: Pick<FilterValueRow, 'value' | 'variable'>) => void;
}) {
  const { row, label } = props;
  if (!takesValues(row.operator)) return null;
  // A variable the dashboard no longer has stays listed, so the row shows what the query says.
  const names = props.variables.map((v) => v.name);
  if (row.variable && !names.includes(row.variable)) names.push(row.variable);
  return (
    <>
      {names.length > 0 && (
        <select
          aria-label={`${label} value or variable`}
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
          aria-label={`${label} values`}
          placeholder="value, value…"
          value={row.value}
          onChange={(e) => props.onChange({ value: e.target.value, variable: '' })}
        />
      )}
    </>
  );
}
