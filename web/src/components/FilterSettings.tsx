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
  /** Widget id → the field filtered in that widget, or false to leave it alone. */
  tileTargets: Record<string, string | false>;
}

/** A data widget as the per-tile targets list shows it. */
export interface FilterTile {
  id: string;
  title: string;
  /** The fields of its data, when known (data sources); a model's are not listed. */
  fields: Column[];
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
  tileTargets: filter?.tileTargets ?? {},
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
    ...(Object.keys(row.tileTargets).length > 0 && { tileTargets: row.tileTargets }),
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
  tiles: FilterTile[];
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
            {row.field && props.tiles.length > 0 && (
              <TileTargets
                name={name}
                field={row.field}
                tiles={props.tiles}
                targets={row.tileTargets}
                onChange={(tileTargets) => set(i, { ...row, tileTargets })}
              />
            )}
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

const AUTOMATIC = '';
const OFF = '\u0000off';

/** Which field the filter filters in each tile: its own field where the tile has it, another, or none. */
function TileTargets(props: {
  name: string;
  field: string;
  tiles: FilterTile[];
  targets: Record<string, string | false>;
  onChange: (targets: Record<string, string | false>) => void;
}) {
  const set = (tile: string, choice: string) => {
    const { [tile]: _, ...rest } = props.targets;
    props.onChange(choice === AUTOMATIC ? rest : { ...rest, [tile]: choice === OFF ? false : choice });
  };
  const overridden = Object.keys(props.targets).length;
  return (
    <details className="tiletargets">
      <summary>Per tile{overridden > 0 ? ` (${overridden} changed)` : ''}</summary>
      {props.tiles.map((tile) => {
        const target = props.targets[tile.id];
        const has = tile.fields.some((f) => f.name === props.field);
        return (
          <label key={tile.id} className="tiletarget">
            <span>{tile.title || tile.id}</span>
            <select
              aria-label={`${props.name} in ${tile.title || tile.id}`}
              value={target === undefined ? AUTOMATIC : target === false ? OFF : target}
              onChange={(e) => set(tile.id, e.target.value)}
            >
              <option value={AUTOMATIC}>
                {tile.fields.length === 0 || has
                  ? `Automatic (${props.field})`
                  : 'Automatic (not filtered: no such field)'}
              </option>
              <option value={OFF}>Off for this tile</option>
              {tile.fields
                .filter((f) => f.name !== props.field)
                .map((f) => (
                  <option key={f.name} value={f.name}>
                    {f.name} ({f.type})
                  </option>
                ))}
              {typeof target === 'string' && !tile.fields.some((f) => f.name === target) && (
                <option value={target}>{target}</option>
              )}
            </select>
          </label>
        );
      })}
    </details>
  );
}
