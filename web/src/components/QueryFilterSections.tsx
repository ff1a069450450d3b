import { columnLabel } from '../../../src/core/exports/present.ts';
import type { DashboardVariable } from '../types.ts';
import { KeptFilters } from './QueryFieldOptions.tsx';
import { AddButton, FieldError, RuleRow, type SectionProps } from './QueryInputs.tsx';
import { type ErrorPlace, listEditor, metricColumns, postColumns, resultColumns } from './query-draft.ts';
import { RemoveButton } from './RemoveButton.tsx';

/**
 * Rules on fields filter rows; rules on metrics filter groups; rules on calculations filter the
 * result after them (the body's `postFilters`, which a rule loaded from there keeps).
 */
export function FiltersSection(
  props: SectionProps & { variables: DashboardVariable[]; errors: Map<ErrorPlace, string> },
) {
  const { draft } = props;
  const filters = listEditor(draft, props.onChange, 'filters');
  const calculations = postColumns(draft);
  const kept = [...draft.keptFilters, ...draft.keptPostFilters];
  return (
    <fieldset>
      <legend>Filters</legend>
      {filters.rows.map((f, i) => (
        <div key={f.key}>
          <RuleRow
            label={`Filter ${i + 1}`}
            row={f}
            fields={props.fields}
            custom={props.custom}
            results={[...metricColumns(draft), ...calculations]}
            variables={props.variables}
            onChange={(row) =>
              filters.set(
                i,
                row.field === f.field
                  ? row
                  : { ...row, after: calculations.includes(row.field) || undefined },
              )
            }
            onRemove={() => filters.remove(i)}
          />
          <FieldError message={props.errors.get(f.key)} />
        </div>
      ))}
      {kept.length > 0 && (
        <KeptFilters
          nodes={kept}
          onChange={(nodes) =>
            props.onChange({
              ...draft,
              keptFilters: nodes.filter((n) => draft.keptFilters.includes(n)),
              keptPostFilters: nodes.filter((n) => draft.keptPostFilters.includes(n)),
            })
          }
        />
      )}
      <FieldError message={props.errors.get('filters') ?? props.errors.get('postFilters')} />
      <AddButton
        label="+ Add filter"
        onClick={() => filters.add({ field: '', operator: '=', value: '', variable: '' })}
      />
    </fieldset>
  );
}

export function SortSection(
  props: Pick<SectionProps, 'draft' | 'onChange'> & { errors: Map<ErrorPlace, string> },
) {
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
            {s.field && !choices.includes(s.field) && <option value={s.field}>{s.field}</option>}
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
      <FieldError message={props.errors.get('sorts') ?? props.errors.get('limit')} />
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
