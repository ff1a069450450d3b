import type { Column, DashboardFilter } from '../types.ts';
import { distinctValues, FilterBar } from './FilterBar.tsx';
import { defaultOf, valueFromDefault } from './filter-defaults.ts';
import type { FilterValue } from './filters.ts';
import { RemoveButton } from './RemoveButton.tsx';

/** One filter as the settings form edits it; `key` tells rows apart before the server gives an id. */
export interface FilterRow {
  key: number;
  id?: string;
  field: string;
  label: string;
  type: DashboardFilter['type'];
  value: FilterValue | undefined;
}

const TYPES: { id: DashboardFilter['type']; label: string }[] = [
  { id: 'values', label: 'Values (multi-select)' },
  { id: 'date_range', label: 'Date range' },
  { id: 'number_range', label: 'Number range' },
];

let lastKey = 0;
export const filterRow = (filter?: DashboardFilter): FilterRow => ({
  key: ++lastKey,
  id: filter?.id,
  field: filter?.field ?? '',
  label: filter?.label && filter.label !== filter.field ? filter.label : '',
  type: filter?.type ?? 'values',
  value: filter ? valueFromDefault(filter) : undefined,
});

/** The PATCH body entry of a row; the server validates it and names the field of any problem. */
export function filterBody(row: FilterRow) {
  const stored = defaultOf(row.value);
  return {
    ...(row.id && { id: row.id }),
    field: row.field,
    ...(row.label && { label: row.label }),
    type: row.type,
    ...(stored !== undefined && { default: stored }),
  };
}

const isDate = (type: string | undefined) => type === 'date' || type === 'datetime';
const isNumber = (type: string | undefined) => type === 'integer' || type === 'number';

/** Add, remove, reorder and edit the dashboard's filters; a default is edited with the filter bar itself. */
export function FilterSettings(props: {
  rows: FilterRow[];
  onChange: (rows: FilterRow[]) => void;
  fields: Column[];
  /** Where a field's values come from, for the preview of a values filter. */
  sourceFor: (field: string) => string | undefined;
}) {
  const { rows, onChange, fields } = props;
  const set = (index: number, row: FilterRow) => onChange(rows.map((r, i) => (i === index ? row : r)));
  const move = (index: number, by: number) => {
    const next = [...rows];
    [next[index], next[index + by]] = [next[index + by], next[index]];
    onChange(next);
  };
  const typeFor = (field: string): DashboardFilter['type'] => {
    const type = fields.find((f) => f.name === field)?.type;
    return isDate(type) ? 'date_range' : isNumber(type) ? 'number_range' : 'values';
  };

  return (
    <fieldset className="settingslist">
      <legend>Filters</legend>
      {rows.length === 0 && <p className="muted small">No filters: viewers see every row.</p>}
      {rows.map((row, i) => {
        const name = `Filter ${i + 1}`;
        const preview: DashboardFilter = {
          id: row.id ?? `new-${row.key}`,
          field: row.field,
          label: `${name} default`,
          type: row.type,
        };
        return (
          <div className="settingsrow" key={row.key}>
            <div className="row">
              <select
                aria-label={`${name} field`}
                value={row.field}
                onChange={(e) =>
                  set(i, { ...row, field: e.target.value, type: typeFor(e.target.value), value: undefined })
                }
              >
                <option value="">Choose a field</option>
                {fields.map((f) => (
                  <option key={f.name} value={f.name}>
                    {f.name} ({f.type})
                  </option>
                ))}
              </select>
              <input
                aria-label={`${name} label`}
                placeholder={row.field || 'Label'}
                value={row.label}
                onChange={(e) => set(i, { ...row, label: e.target.value })}
              />
              <select
                aria-label={`${name} type`}
                value={row.type}
                onChange={(e) =>
                  set(i, { ...row, type: e.target.value as DashboardFilter['type'], value: undefined })
                }
              >
                {TYPES.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.label}
                  </option>
                ))}
              </select>
              <button
                type="button"
                className="icon"
                aria-label={`Move ${name} up`}
                disabled={i === 0}
                onClick={() => move(i, -1)}
              >
                ↑
              </button>
              <button
                type="button"
                className="icon"
                aria-label={`Move ${name} down`}
                disabled={i === rows.length - 1}
                onClick={() => move(i, 1)}
              >
                ↓
              </button>
              <RemoveButton
                label={`Remove ${name}`}
                onClick={() => onChange(rows.filter((_, j) => j !== i))}
              />
            </div>
            {row.field && (
              <FilterBar
                filters={[preview]}
                values={{ [preview.id]: row.value }}
                onChange={(_, value) => set(i, { ...row, value })}
                choicesOf={(filter) => distinctValues(props.sourceFor(filter.field), filter.field)}
              />
            )}
          </div>
        );
      })}
      <button type="button" className="link" onClick={() => onChange([...rows, filterRow()])}>
        + Add filter
      </button>
    </fieldset>
  );
}
