import type { Column } from '../types.ts';

/** A picker of `table.column` addresses, grouped by table so long models stay readable. */
export function ModelFieldSelect(props: {
  label: string;
  value: string;
  fields: Column[];
  onChange: (address: string) => void;
  /** The label of the empty choice. */
  empty?: string;
}) {
  const tables = [...new Set(props.fields.map((f) => f.name.slice(0, f.name.indexOf('.'))))];
  return (
    <select aria-label={props.label} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
      <option value="">{props.empty ?? 'Choose a field'}</option>
      {tables.map((table) => (
        <optgroup key={table} label={table}>
          {props.fields
            .filter((f) => f.name.startsWith(`${table}.`))
            .map((f) => (
              <option key={f.name} value={f.name}>
                {f.name} ({f.type})
              </option>
            ))}
        </optgroup>
      ))}
    </select>
  );
}
