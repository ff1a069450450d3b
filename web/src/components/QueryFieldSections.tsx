import { keyed } from './ModelDraft.ts';
import { AggregationSelect } from './ModelSourcePicker.tsx';
import {
  BinEditor,
  emptyRule,
  GranularitySelect,
  MetricFilter,
  PercentileInput,
} from './QueryFieldOptions.tsx';
import { AddButton, FieldError, FieldSelect, type SectionProps, typeIn } from './QueryInputs.tsx';
import {
  type ErrorPlace,
  isNumber,
  isTime,
  listEditor,
  MODEL_METRIC,
  metricColumns,
  metricId,
} from './query-draft.ts';
import { RemoveButton } from './RemoveButton.tsx';

/**
 * Named formulas, one per row: custom columns (arithmetic over fields, per row) or formula
 * metrics (arithmetic over metrics). The server checks them; its 400 shows under the input.
 */
function FormulaRows(props: {
  editor: ReturnType<typeof listEditor<'calculations' | 'formulas'>>;
  what: string;
  placeholder: { name: string; formula: string };
  errors: Map<ErrorPlace, string>;
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
            aria-label={`${label} ${row.sql ? 'SQL' : 'expression'}`}
            className="formula"
            placeholder={row.sql ? 'SQL' : props.placeholder.formula}
            value={row.formula}
            spellCheck={false}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
            onChange={(e) => editor.set(i, { ...row, formula: e.target.value })}
          />
          <RemoveButton label={`Remove ${label.toLowerCase()}`} onClick={() => editor.remove(i)} />
        </div>
        <FieldError id={errorId} message={error} />
      </div>
    );
  });
}

export function CustomColumnsSection(props: SectionProps & { errors: Map<ErrorPlace, string> }) {
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

export function DimensionsSection(props: SectionProps & { errors: Map<ErrorPlace, string> }) {
  const dimensions = listEditor(props.draft, props.onChange, 'dimensions');
  return (
    <fieldset>
      <legend>Dimensions</legend>
      {dimensions.rows.map((d, i) => {
        const label = `Dimension ${i + 1}`;
        const type = typeIn(props, d.field);
        return (
          <div key={d.key} className="dimensionrow">
            <div className="row">
              <FieldSelect
                label={label}
                value={d.field}
                fields={props.fields}
                custom={props.custom}
                onChange={(field) =>
                  dimensions.set(i, {
                    key: d.key,
                    field,
                    granularity: isTime(typeIn(props, field)) ? 'month' : '',
                  })
                }
              />
              {isTime(type) && (
                <GranularitySelect
                  label={`${label} granularity`}
                  value={d.granularity}
                  onChange={(granularity) => dimensions.set(i, { ...d, granularity })}
                />
              )}
              {isNumber(type) && (
                <select
                  aria-label={`${label} grouping`}
                  value={d.bin?.kind ?? ''}
                  onChange={(e) => {
                    const kind = e.target.value;
                    const { bin: _bin, ...rest } = d;
                    dimensions.set(
                      i,
                      kind === 'width'
                        ? { ...rest, bin: { kind, width: '', offset: '' } }
                        : kind === 'ranges'
                          ? { ...rest, bin: { kind, ranges: [{ from: '', to: '', label: '' }] } }
                          : rest,
                    );
                  }}
                >
                  <option value="">each value</option>
                  <option value="width">in bins of equal width</option>
                  <option value="ranges">in ranges</option>
                </select>
              )}
              <RemoveButton label={`Remove dimension ${i + 1}`} onClick={() => dimensions.remove(i)} />
            </div>
            {d.bin && (
              <BinEditor label={label} bin={d.bin} onChange={(bin) => dimensions.set(i, { ...d, bin })} />
            )}
            <FieldError message={props.errors.get(d.key)} />
          </div>
        );
      })}
      <AddButton label="+ Add dimension" onClick={() => dimensions.add({ field: '', granularity: '' })} />
    </fieldset>
  );
}

export function MetricsSection(
  props: SectionProps & { modelMetrics: string[]; errors: Map<ErrorPlace, string> },
) {
  const { draft } = props;
  const metrics = listEditor(draft, props.onChange, 'metrics');
  const formulas = listEditor(draft, props.onChange, 'formulas');
  const names = metricColumns({ ...draft, formulas: [] });
  return (
    <fieldset>
      <legend>Metrics</legend>
      {metrics.rows.map((m, i) => {
        const label = `Metric ${i + 1}`;
        // A saved query's name for the column stays until the metric changes, unless the metric
        // has its own filter: then the name tells it from the same metric unfiltered.
        const alias = m.filter ? m.alias : undefined;
        return (
          <div key={m.key} className="metricrow">
            <div className="row">
              {m.alias && !m.filter && <span className="muted small">{m.alias} =</span>}
              <AggregationSelect
                label={`${label} aggregation`}
                row={m}
                metrics={props.modelMetrics}
                onChange={(row) =>
                  metrics.set(i, {
                    ...m,
                    ...row,
                    alias,
                    percentile: row.aggregation === 'percentile' ? (m.percentile ?? '90') : undefined,
                  })
                }
              />
              {m.aggregation !== MODEL_METRIC && (
                <FieldSelect
                  label={`${label} field`}
                  value={m.field}
                  fields={props.fields}
                  custom={props.custom}
                  empty={m.aggregation === 'count' ? 'rows' : undefined}
                  onChange={(field) => metrics.set(i, { ...m, field, alias })}
                />
              )}
              {!m.filter && (
                <button
                  type="button"
                  className="link small"
                  aria-label={`Filter metric ${i + 1}`}
                  title="Aggregate only the rows that match conditions of this metric's own"
                  onClick={() =>
                    metrics.set(i, {
                      ...m,
                      alias: `${metricId(m)}_filtered`,
                      filter: { rows: [keyed(emptyRule())], kept: [] },
                    })
                  }
                >
                  Filter
                </button>
              )}
              <RemoveButton label={`Remove metric ${i + 1}`} onClick={() => metrics.remove(i)} />
            </div>
            {m.aggregation === 'percentile' && (
              <PercentileInput
                label={`${label} percentile`}
                value={m.percentile ?? ''}
                onChange={(percentile) => metrics.set(i, { ...m, percentile })}
              />
            )}
            {m.filter && (
              <MetricFilter
                label={label}
                row={m}
                fields={props.fields}
                custom={props.custom}
                onChange={(row) => metrics.set(i, row)}
              />
            )}
            <FieldError message={props.errors.get(m.key)} />
          </div>
        );
      })}
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
