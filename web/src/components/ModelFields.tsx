import type { Column, ModelDimension, ModelMetric } from '../types.ts';
import { keyed, type ModelDraft, removeAt, replaceAt, splitAddress } from './ModelDraft.ts';
import { ModelFieldSelect } from './ModelFieldSelect.tsx';
import { DIMENSION_TYPES, METRIC_TYPES, ModelSqlInputs, SqlHint } from './ModelSql.tsx';
import { RemoveButton } from './RemoveButton.tsx';

const AGGREGATIONS = ['sum', 'avg', 'min', 'max', 'count', 'count_distinct'];
const FORMULA = 'formula';
const SQL = 'sql';

/**
 * Dimensions: the fields queries group and filter by, each a column of a table under a name, or
 * (for developers) an SQL expression over the model's tables with the type it computes.
 */
export function ModelDimensionsSection(props: {
  draft: ModelDraft;
  fields: Column[];
  onChange: (draft: ModelDraft) => void;
}) {
  const { draft } = props;
  const set = (i: number, dimension: ModelDimension) =>
    props.onChange({
      ...draft,
      dimensions: replaceAt(draft.dimensions, i, { key: draft.dimensions[i].key, ...dimension }),
    });
  const add = (dimension: ModelDimension) =>
    props.onChange({ ...draft, dimensions: [...draft.dimensions, keyed(dimension)] });
  return (
    <fieldset>
      <legend>Dimensions</legend>
      {draft.dimensions.map((d, i) => (
        <div className="row" key={d.key}>
          {d.sql !== undefined ? (
            <ModelSqlInputs
              label={`Dimension ${i + 1}`}
              field={{ table: d.table, sql: d.sql, type: d.type }}
              tables={draft.tables.map((t) => t.name)}
              types={DIMENSION_TYPES}
              placeholder="${TABLE}.price * ${TABLE}.quantity"
              onChange={(field) => set(i, { ...d, ...field })}
            />
          ) : (
            <ModelFieldSelect
              label={`Dimension ${i + 1} column`}
              value={d.table && d.column ? `${d.table}.${d.column}` : ''}
              fields={props.fields}
              onChange={(address) => {
                const [table, column] = splitAddress(address);
                // The type follows the new column (the server fills it in); a default name follows too.
                const name = !d.name || d.name === d.column ? column : d.name;
                set(i, { name, table, column, label: d.label });
              }}
            />
          )}
          <input
            aria-label={`Dimension ${i + 1} name`}
            placeholder="Name"
            value={d.name}
            onChange={(e) => set(i, { ...d, name: e.target.value })}
          />
          <RemoveButton
            label={`Remove dimension ${i + 1}`}
            onClick={() => props.onChange({ ...draft, dimensions: removeAt(draft.dimensions, i) })}
          />
        </div>
      ))}
      {draft.dimensions.some((d) => d.sql !== undefined) && <SqlHint />}
      <div className="row">
        <button type="button" className="link" onClick={() => add({ name: '', table: '', column: '' })}>
          + Add dimension
        </button>
        <button
          type="button"
          className="link"
          onClick={() => add({ name: '', table: draft.baseTable, sql: '', type: 'number' })}
        >
          + Add SQL dimension
        </button>
      </div>
    </fieldset>
  );
}

/**
 * Metrics: an aggregation over a column (a count may take none), a formula over other metrics,
 * or (for developers) an SQL aggregate expression.
 */
export function ModelMetricsSection(props: {
  draft: ModelDraft;
  fields: Column[];
  onChange: (draft: ModelDraft) => void;
}) {
  const { draft } = props;
  const set = (i: number, metric: ModelMetric) =>
    props.onChange({
      ...draft,
      metrics: replaceAt(draft.metrics, i, { key: draft.metrics[i].key, ...metric }),
    });
  const kindOf = (m: ModelMetric) =>
    m.formula !== undefined ? FORMULA : m.sql !== undefined ? SQL : (m.aggregation ?? 'sum');
  const changeKind = (m: ModelMetric, kind: string): ModelMetric => {
    const base = { name: m.name, label: m.label };
    if (kind === FORMULA) return { ...base, table: draft.baseTable || m.table, formula: m.formula ?? '' };
    if (kind === SQL) return { ...base, table: m.table || draft.baseTable, sql: m.sql ?? '' };
    return { ...base, table: m.table || draft.baseTable, aggregation: kind, column: m.column };
  };
  return (
    <fieldset>
      <legend>Metrics</legend>
      {draft.metrics.map((m, i) => {
        const n = i + 1;
        return (
          <div className="row" key={m.key}>
            <input
              aria-label={`Metric ${n} name`}
              placeholder="Name"
              value={m.name}
              onChange={(e) => set(i, { ...m, name: e.target.value })}
            />
            <select
              aria-label={`Metric ${n} aggregation`}
              value={kindOf(m)}
              onChange={(e) => set(i, changeKind(m, e.target.value))}
            >
              {AGGREGATIONS.map((a) => (
                <option key={a} value={a}>
                  {a.replace('_', ' ')}
                </option>
              ))}
              <option value={FORMULA}>formula over metrics</option>
              <option value={SQL}>SQL expression</option>
            </select>
            {m.sql !== undefined ? (
              <ModelSqlInputs
                label={`Metric ${n}`}
                field={{ table: m.table, sql: m.sql, type: m.type }}
                tables={draft.tables.map((t) => t.name)}
                types={METRIC_TYPES}
                defaultType="number"
                placeholder="SUM(${TABLE}.price) / NULLIF(COUNT(*), 0)"
                onChange={(field) => set(i, { ...m, ...field })}
              />
            ) : m.formula !== undefined ? (
              <input
                aria-label={`Metric ${n} formula`}
                placeholder="revenue - cost"
                value={m.formula}
                onChange={(e) => set(i, { ...m, formula: e.target.value })}
              />
            ) : (
              <ModelFieldSelect
                label={`Metric ${n} field`}
                value={m.column ? `${m.table}.${m.column}` : ''}
                fields={props.fields}
                empty={m.aggregation === 'count' ? 'rows' : undefined}
                onChange={(address) => {
                  const [table, column] = splitAddress(address);
                  set(i, { ...m, table: table || draft.baseTable, column: column || undefined });
                }}
              />
            )}
            <RemoveButton
              label={`Remove metric ${n}`}
              onClick={() => props.onChange({ ...draft, metrics: removeAt(draft.metrics, i) })}
            />
          </div>
        );
      })}
      {draft.metrics.some((m) => m.sql !== undefined) && <SqlHint />}
      <button
        type="button"
        className="link"
        onClick={() =>
          props.onChange({
            ...draft,
            metrics: [...draft.metrics, keyed({ name: '', table: draft.baseTable, aggregation: 'sum' })],
          })
        }
      >
        + Add metric
      </button>
    </fieldset>
  );
}

/** Row-level security: a row shows only when the field's value is among the user's attribute values. */
export function ModelPoliciesSection(props: {
  draft: ModelDraft;
  attributes: string[];
  onChange: (draft: ModelDraft) => void;
}) {
  const { draft } = props;
  const dimensions = draft.dimensions
    .filter((d) => d.table && d.name)
    .map((d) => ({ name: `${d.table}.${d.name}`, type: d.type ?? 'dimension' }));
  const set = (i: number, field: string, attribute: string) =>
    props.onChange({
      ...draft,
      policies: replaceAt(draft.policies, i, { key: draft.policies[i].key, field, attribute }),
    });
  return (
    <fieldset>
      <legend>Row-level security</legend>
      <p className="muted small">
        A user sees a row only when its field value is among their values of the attribute; admins see every
        row.
      </p>
      {draft.policies.map((p, i) => (
        <div className="row" key={p.key}>
          <ModelFieldSelect
            label={`Policy ${i + 1} field`}
            value={p.field}
            fields={dimensions}
            onChange={(field) => set(i, field, p.attribute)}
          />
          <select
            aria-label={`Policy ${i + 1} user attribute`}
            value={p.attribute}
            onChange={(e) => set(i, p.field, e.target.value)}
          >
            <option value="">Choose a user attribute</option>
            {[...new Set([...props.attributes, p.attribute])].filter(Boolean).map((key) => (
              <option key={key} value={key}>
                {key}
              </option>
            ))}
          </select>
          <RemoveButton
            label={`Remove policy ${i + 1}`}
            onClick={() => props.onChange({ ...draft, policies: removeAt(draft.policies, i) })}
          />
        </div>
      ))}
      {props.attributes.length === 0 && (
        <p className="muted small">No user attributes are defined yet (Admin → Attributes).</p>
      )}
      <button
        type="button"
        className="link"
        onClick={() =>
          props.onChange({ ...draft, policies: [...draft.policies, keyed({ field: '', attribute: '' })] })
        }
      >
        + Add policy
      </button>
    </fieldset>
  );
}
