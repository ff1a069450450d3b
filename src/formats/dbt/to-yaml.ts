// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${TABLE}` and `${field}` are Lightdash's SQL placeholders
import { stringify } from 'yaml';
import type { DataSource, ModelDefinition, ModelTableInput } from '../../core/data/index.ts';
import type { RequiredAttributes } from '../../core/query/required-attributes.ts';
import type { ColumnType } from '../../engines/types.ts';
import type { DbtFile, Meta } from './project.ts';

/**
 * Rosetta models → a dbt project (`models/schema.yml` with Lightdash meta, and a `.sql` file per
 * model whose relation is SQL) that `projectFromFiles` + `mapProject` read back into the same
 * models. Each model is a dbt model of its name; every metric is a model-level metric
 * (`sql: ${TABLE}.x` reads back as the column's aggregation); a joined table is the dbt model
 * whose base table is the same data source, or else an entry of its own, which re-imports as a
 * model too; row policies are `sql_filter` conditions on user attributes.
 */
export interface ExportedModel extends ModelDefinition {
  name: string;
}

const lightdashTypes: Record<ColumnType, string> = {
  string: 'string',
  integer: 'number',
  number: 'number',
  boolean: 'boolean',
  date: 'date',
  datetime: 'timestamp',
  json: 'string',
};

const metricTypes: Record<string, string> = { avg: 'average' };

const withLabel = (label: string | undefined) => (label === undefined ? {} : { label });
const withRequired = (required: RequiredAttributes | undefined) =>
  required === undefined ? {} : { required_attributes: required };

const balanced = (text: string) => {
  let depth = 0;
  for (const character of text) {
    depth += character === '(' ? 1 : character === ')' ? -1 : 0;
    if (depth < 0) return false;
  }
  return depth === 0;
};

/** `SUM(x)` → Lightdash's `{type: sum, sql: x}` (which reads back as the same SQL); else a number metric. */
function sqlMetric(sql: string): { type: string; sql: string } {
  const call = /^(SUM|COUNT|AVG|MIN|MAX)\((DISTINCT\s+)?(.+)\)$/is.exec(sql.trim());
  if (!call || !balanced(call[3]) || (call[2] && call[1].toUpperCase() !== 'COUNT'))
    return { type: 'number', sql };
  const name = call[1].toUpperCase();
  const type = call[2] ? 'count_distinct' : name === 'AVG' ? 'average' : name.toLowerCase();
  return { type, sql: call[3] };
}

export function projectToFiles(
  models: readonly ExportedModel[],
  sources: ReadonlyMap<string, DataSource>,
): DbtFile[] {
  const entries = new Map<string, Meta>();
  const sqlFiles: DbtFile[] = [];
  const baseOf = (model: ExportedModel) => model.tables.find((t) => t.name === model.baseTable);
  const sourceOf = (table: ModelTableInput | undefined) =>
    table && 'dataSource' in table ? sources.get(table.dataSource) : undefined;

  /** Where the dbt model of `name` is: its relation config, or its SQL in a file of its own. */
  function relationConfig(name: string, table: ModelTableInput | undefined): Meta {
    const source = sourceOf(table);
    const sql = source?.type === 'sql' ? source.sql : table && 'sql' in table ? table.sql : undefined;
    if (sql !== undefined) {
      sqlFiles.push({ path: `models/${name}.sql`, content: `${sql}\n` });
      return {};
    }
    if (source && source.name === name) return {};
    const schema = source?.schema ?? (table && 'schema' in table ? table.schema : undefined);
    const relation = source?.table ?? (table && 'table' in table ? table.table : undefined);
    const config = { ...(schema && { schema }), ...(relation && relation !== name && { alias: relation }) };
    return Object.keys(config).length > 0 ? { config } : {};
  }

  /** The dbt model a joined table reads: a model based on the same data source, else its own entry. */
  function joinTarget(model: ExportedModel, alias: string): string {
    const table = model.tables.find((t) => t.name === alias);
    const uuid = table && 'dataSource' in table ? table.dataSource : undefined;
    const owner = models.find((other) => {
      const base = baseOf(other);
      return uuid !== undefined && base !== undefined && 'dataSource' in base && base.dataSource === uuid;
    });
    if (owner) return owner.name;
    const name = sourceOf(table)?.name ?? alias;
    if (!entries.has(name))
      entries.set(name, entry(name, { ...model, baseTable: alias, joins: [], policies: [] }, table));
    return name;
  }

  function columnsOf(model: ExportedModel, table: string): Meta[] {
    return model.dimensions
      .filter((d) => d.table === table)
      .map((d) => {
        const shown = { ...withLabel(d.label), ...withRequired(d.requiredAttributes) };
        if (d.column === d.name)
          return { name: d.name, ...(Object.keys(shown).length > 0 && { meta: { dimension: shown } }) };
        const sql = d.column !== undefined ? `\${TABLE}.${d.column}` : d.sql;
        const type = d.column !== undefined ? {} : { type: lightdashTypes[d.type] };
        return {
          name: d.name,
          ...(d.type === 'integer' && d.sql !== undefined && { data_type: 'integer' }),
          meta: { dimension: { ...type, sql, ...shown } },
        };
      });
  }

  function metricsOf(model: ExportedModel, table: string): Meta {
    const metrics: Meta = {};
    for (const m of model.metrics.filter((metric) => metric.table === table)) {
      const label = { ...withLabel(m.label), ...withRequired(m.requiredAttributes) };
      if (m.formula !== undefined)
        metrics[m.name] = {
          type: 'number',
          sql: m.formula.replace(/[A-Za-z_]\w*(\.[A-Za-z_]\w*)?/g, (name) => `\${${name}}`),
          ...label,
        };
      else if (m.sql !== undefined) metrics[m.name] = { ...sqlMetric(m.sql), ...label };
      else if (m.aggregation === 'stddev' || m.aggregation === 'variance')
        // Lightdash has no such metric type: the SQL aggregate says the same.
        metrics[m.name] = {
          type: 'number',
          sql: `${m.aggregation.toUpperCase()}(\${TABLE}.${m.column})`,
          ...label,
        };
      else
        metrics[m.name] = {
          type: metricTypes[m.aggregation ?? ''] ?? m.aggregation,
          ...(m.column !== undefined && { sql: `\${TABLE}.${m.column}` }),
          ...(m.percentile !== undefined && { percentile: m.percentile * 100 }),
          ...label,
        };
    }
    return metrics;
  }

  function entry(name: string, model: ExportedModel, table: ModelTableInput | undefined): Meta {
    const { baseTable } = model;
    /** `table.field` as Lightdash writes it: the base table's fields bare, others qualified. */
    const reference = (field: string) => {
      const [table, column] = field.includes('.') ? field.split('.') : [baseTable, field];
      return table === baseTable ? `\${${column}}` : `\${${table}.${column}}`;
    };
    const onSide = (side: string) => {
      const [table, column] = side.split('.');
      const alias = table === baseTable ? name : table;
      const exposed = model.dimensions.some(
        (d) => d.table === table && d.name === column && d.column === column,
      );
      return exposed ? `\${${alias}.${column}}` : `${alias}.${column}`;
    };
    const joins = model.joins.map((join) => {
      const target = joinTarget(model, join.table);
      const fields = [...model.dimensions, ...model.metrics]
        .filter((f) => f.table === join.table)
        .map((f) => f.name);
      return {
        join: target,
        ...(target !== join.table && { alias: join.table }),
        type: join.type,
        sql_on: join.on.map(({ left, right }) => `${onSide(left)} = ${onSide(right)}`).join(' AND '),
        fields,
      };
    });
    const metrics = metricsOf(model, baseTable);
    const sqlFilter = model.policies
      .map((p) => `${reference(p.field)} = \${lightdash.attributes.${p.attribute}}`)
      .join(' AND ');
    const meta = {
      ...withRequired(table?.requiredAttributes),
      ...(joins.length > 0 && { joins }),
      ...(Object.keys(metrics).length > 0 && { metrics }),
      ...(sqlFilter && { sql_filter: sqlFilter }),
    };
    return {
      name,
      ...relationConfig(name, table),
      ...(Object.keys(meta).length > 0 && { meta }),
      columns: columnsOf(model, baseTable),
    };
  }

  for (const model of models) entries.set(model.name, entry(model.name, model, baseOf(model)));
  const schema = stringify({ version: 2, models: [...entries.values()] }, { lineWidth: 0 });
  return [{ path: 'models/schema.yml', content: schema }, ...sqlFiles];
}
