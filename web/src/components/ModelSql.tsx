// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${TABLE}` is the placeholder syntax of developer SQL
/** Types an SQL dimension may declare (what the expression computes), and those of an SQL metric. */
export const DIMENSION_TYPES = ['string', 'integer', 'number', 'boolean', 'date', 'datetime'];
export const METRIC_TYPES = ['number', 'integer'];

export interface SqlField {
  table: string;
  sql: string;
  type?: string;
}

/**
 * The inputs of a developer's SQL field or metric: the table `${TABLE}` stands for, the
 * expression, and the type it computes. The server has the warehouse check it on save and
 * names the field in its 400.
 */
export function ModelSqlInputs(props: {
  /** `Dimension 3` or `Metric 2`: the start of every input's label. */
  label: string;
  field: SqlField;
  tables: string[];
  types: string[];
  /** The type when none is chosen; without one, the type must be chosen. */
  defaultType?: string;
  placeholder: string;
  onChange: (field: SqlField) => void;
}) {
  const { field, label } = props;
  return (
    <>
      <select
        aria-label={`${label} table`}
        title="The table ${TABLE} stands for"
        value={field.table}
        onChange={(e) => props.onChange({ ...field, table: e.target.value })}
      >
        {[...new Set([...props.tables, field.table])].filter(Boolean).map((table) => (
          <option key={table} value={table}>
            {table}
          </option>
        ))}
      </select>
      <input
        className="sqlexpr"
        aria-label={`${label} SQL`}
        placeholder={props.placeholder}
        spellCheck={false}
        value={field.sql}
        onChange={(e) => props.onChange({ ...field, sql: e.target.value })}
      />
      <select
        aria-label={`${label} type`}
        value={field.type ?? props.defaultType ?? ''}
        onChange={(e) => props.onChange({ ...field, type: e.target.value || undefined })}
      >
        {props.defaultType === undefined && <option value="">Type</option>}
        {props.types.map((type) => (
          <option key={type} value={type}>
            {type}
          </option>
        ))}
      </select>
    </>
  );
}

/** How placeholders read, shown once under a section that has SQL rows. */
export function SqlHint() {
  return (
    <p className="muted small">
      In SQL, <code>{'${TABLE}'}</code> is the chosen table and <code>{'${orders}'}</code> another table of
      the model; the warehouse checks the expression when the model is saved.
    </p>
  );
}
