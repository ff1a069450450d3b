import type { Column } from '../types.ts';
import { AggregationSelect, MODEL_METRIC } from './ModelSourcePicker.tsx';
import { isTime, listEditor, metricColumns, type QueryDraft } from './query-draft.ts';
import { RemoveButton } from './RemoveButton.tsx';

const GRANULARITIES = ['year', 'quarter', 'month', 'week', 'day', 'hour'];

/** What every section of the query builder gets: the draft, its fields and the way to change it. */
export interface SectionProps {
  draft: QueryDraft;
  /** The source's fields, then the custom columns. */
  fields: Column[];
  custom: Column[];
  onChange: (draft: QueryDraft) => void;
}

export const typeIn = (props: Pick<SectionProps, 'fields' | 'custom'>, field: string) =>
  [...props.fields, ...props.custom].find((c) => c.name === field)?.type;

export function FieldSelect(props: {
  label: string;
  value: string;
  fields: Column[];
  custom: Column[];
  onChange: (value: string) => void;
  empty?: string;
}) {
  const option = (c: Column) => (
    <option key={c.name} value={c.name}>
      {c.name} ({c.type})
    </option>
  );
  return (
    <select aria-label={props.label} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
      <option value="">{props.empty ?? 'Choose a field'}</option>
      {props.fields.map(option)}
      {props.custom.length > 0 && <optgroup label="Custom columns">{props.custom.map(option)}</optgroup>}
    </select>
  );
}

/**
 * Named formulas, one per row: custom columns (arithmetic over fields, per row) or formula
 * metrics (arithmetic over metrics). The server checks them; its 400 shows under the input.
 */
function FormulaRows(props: {
  editor: ReturnType<typeof listEditor<'calculations' | 'formulas'>>;
  what: string;
  placeholder: { name: string; formula: string };
  errors: Map<number, string>;
}) {
  const { editor } = props;
  return editor.rows.map((row, i) => {
    const label = `${props.what} ${i + 1}`;
    const error = props.errors.get(row.key);
    const errorId = `formula-error-${row.key}`;
    return (
      <div key={row.key} className="formularow">
        <div className="row">
          <input
            aria-label={`${label} name`}
            placeholder={props.placeholder.name}
            value={row.name}
            onChange={(e) => editor.set(i, { ...row, name: e.target.value })}
          />
          <input
            aria-label={`${label} expression`}
            className="formula"
            placeholder={props.placeholder.formula}
            value={row.formula}
            spellCheck={false}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
            onChange={(e) => editor.set(i, { ...row, formula: e.target.value })}
          />
          <RemoveButton label={`Remove ${label.toLowerCase()}`} onClick={() => editor.remove(i)} />
        </div>
        {error && (
          <p className="error small" id={errorId} role="alert">
            {error}
          </p>
        )}
      </div>
    );
  });
}

/** "+ Add …" under a list of the builder. */
export function AddButton(props: { label: string; onClick: () => void }) {
  return (
    <button type="button" className="link" onClick={props.onClick}>
      {props.label}
    </button>
  );
}

export function CustomColumnsSection(props: SectionProps & { errors: Map<number, string> }) {
  const calculations = listEditor(props.draft, props.onChange, 'calculations');
  return (
    <fieldset>
      <legend>Custom columns</legend>
      <FormulaRows
        editor={calculations}
        what="Custom column"
        placeholder={{ name: 'revenue', formula: 'price * quantity' }}
        errors={props.errors}
      />
      {calculations.rows.length > 0 && (
        <p className="muted small">
          Per row: + − * / and parentheses over numeric fields; "quote" names with spaces. Use it as a
          dimension, a metric's field or a filter.
        </p>
      )}
      <AddButton label="+ Custom column" onClick={() => calculations.add({ name: '', formula: '' })} />
    </fieldset>
  );
}

export function DimensionsSection(props: SectionProps) {
  const dimensions = listEditor(props.draft, props.onChange, 'dimensions');
  return (
    <fieldset>
      <legend>Dimensions</legend>
      {dimensions.rows.map((d, i) => (
        <div className="row" key={d.key}>
          <FieldSelect
            label={`Dimension ${i + 1}`}
            value={d.field}
            fields={props.fields}
            custom={props.custom}
            onChange={(field) =>
              dimensions.set(i, { ...d, field, granularity: isTime(typeIn(props, field)) ? 'month' : '' })
            }
          />
          {isTime(typeIn(props, d.field)) && (
            <select
              aria-label={`Dimension ${i + 1} granularity`}
              value={d.granularity}
              onChange={(e) => dimensions.set(i, { ...d, granularity: e.target.value })}
            >
              <option value="">exact</option>
              {GRANULARITIES.map((g) => (
                <option key={g} value={g}>
                  by {g}
                </option>
              ))}
            </select>
          )}
          <RemoveButton label={`Remove dimension ${i + 1}`} onClick={() => dimensions.remove(i)} />
        </div>
      ))}
      <AddButton label="+ Add dimension" onClick={() => dimensions.add({ field: '', granularity: '' })} />
    </fieldset>
  );
}

export function MetricsSection(
  props: SectionProps & { modelMetrics: string[]; errors: Map<number, string> },
) {
  const { draft } = props;
  const metrics = listEditor(draft, props.onChange, 'metrics');
  const formulas = listEditor(draft, props.onChange, 'formulas');
  const names = metricColumns({ ...draft, formulas: [] });
  return (
    <fieldset>
      <legend>Metrics</legend>
      {metrics.rows.map((m, i) => (
        <div className="row" key={m.key}>
          {/* A saved query's name for the column stays until the metric changes. */}
          {m.alias && <span className="muted small">{m.alias} =</span>}
          <AggregationSelect
            label={`Metric ${i + 1} aggregation`}
            row={m}
            metrics={props.modelMetrics}
            onChange={(row) => metrics.set(i, { ...m, ...row, alias: undefined })}
          />
          {m.aggregation !== MODEL_METRIC && (
            <FieldSelect
              label={`Metric ${i + 1} field`}
              value={m.field}
              fields={props.fields}
              custom={props.custom}
              empty={m.aggregation === 'count' ? 'rows' : undefined}
              onChange={(field) => metrics.set(i, { ...m, field, alias: undefined })}
            />
          )}
          <RemoveButton label={`Remove metric ${i + 1}`} onClick={() => metrics.remove(i)} />
        </div>
      ))}
      <FormulaRows
        editor={formulas}
        what="Formula metric"
        placeholder={{
          name: 'ratio',
          formula: names.length > 1 ? `${names[0]} / ${names[1]}` : 'sum_price / count',
        }}
        errors={props.errors}
      />
      {formulas.rows.length > 0 && (
        <p className="muted small">
          + − * / and parentheses over metrics:{' '}
          {[...names, ...props.modelMetrics].join(', ') || 'add one above'}.
        </p>
      )}
      <div className="row">
        <AddButton label="+ Add metric" onClick={() => metrics.add({ field: '', aggregation: 'sum' })} />
        <AddButton label="+ Formula metric" onClick={() => formulas.add({ name: '', formula: '' })} />
      </div>
    </fieldset>
  );
}
