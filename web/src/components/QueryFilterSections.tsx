import { columnLabel } from '../../../src/core/exports/present.ts';
import type { DashboardVariable } from '../types.ts';
import { FilterValueInput } from './FilterValueInput.tsx';
import { AddButton, FieldSelect, type SectionProps } from './QueryFieldSections.tsx';
import { listEditor, resultColumns } from './query-draft.ts';
import { RemoveButton } from './RemoveButton.tsx';

const OPERATORS = ['=', '!=', '>', '>=', '<', '<=', 'contains', 'starts with', 'between', 'null', 'not null'];

export function FiltersSection(props: SectionProps & { variables: DashboardVariable[] }) {
  const filters = listEditor(props.draft, props.onChange, 'filters');
  return (
    <fieldset>
      <legend>Filters</legend>
      {filters.rows.map((f, i) => (
        <div className="row" key={f.key}>
          <FieldSelect
            label={`Filter ${i + 1} field`}
            value={f.field}
            fields={props.fields}
            custom={props.custom}
            onChange={(field) => filters.set(i, { ...f, field })}
          />
          <select
            aria-label={`Filter ${i + 1} operator`}
            value={f.operator}
            onChange={(e) => filters.set(i, { ...f, operator: e.target.value })}
          >
            {OPERATORS.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
          <FilterValueInput
            number={i + 1}
            row={f}
            variables={props.variables}
            onChange={(change) => filters.set(i, { ...f, ...change })}
          />
          <RemoveButton label={`Remove filter ${i + 1}`} onClick={() => filters.remove(i)} />
        </div>
      ))}
      <AddButton
        label="+ Add filter"
        onClick={() => filters.add({ field: '', operator: '=', value: '', variable: '' })}
      />
    </fieldset>
  );
}

export function SortSection(props: Pick<SectionProps, 'draft' | 'onChange'>) {
  const { draft, onChange } = props;
  const sorts = listEditor(draft, onChange, 'sorts');
  const choices = resultColumns(draft);
  return (
    <fieldset>
      <legend>Sort and limit</legend>
      {sorts.rows.map((s, i) => (
        <div className="row" key={s.key}>
          <select
            aria-label={`Sort ${i + 1} column`}
            value={s.field}
            onChange={(e) => sorts.set(i, { ...s, field: e.target.value })}
          >
            <option value="">Choose a column</option>
            {choices.map((c) => (
              <option key={c} value={c}>
                {columnLabel(c)}
              </option>
            ))}
          </select>
          <select
            aria-label={`Sort ${i + 1} direction`}
            value={s.descending ? 'desc' : 'asc'}
            onChange={(e) => sorts.set(i, { ...s, descending: e.target.value === 'desc' })}
          >
            <option value="asc">ascending</option>
            <option value="desc">descending</option>
          </select>
          <RemoveButton label={`Remove sort ${i + 1}`} onClick={() => sorts.remove(i)} />
        </div>
      ))}
      <AddButton
        label="+ Add sort"
        onClick={() => sorts.add({ field: choices[0] ?? '', descending: false })}
      />
      <label className="inline">
        Limit
        <input
          type="number"
          className="narrow"
          min={1}
          value={draft.limit}
          onChange={(e) => onChange({ ...draft, limit: Math.max(1, Number(e.target.value) || 1) })}
        />
      </label>
    </fieldset>
  );
}
