import type { Principal } from '../../../core/auth/index.ts';
import type { DataSource, StoredModel } from '../../../core/data/index.ts';
import { type Project, type TableSelection, tableSelected } from '../../../core/directory/index.ts';
import { notFound } from '../../../core/errors.ts';
import {
  type Aggregation,
  type Model,
  type ModelDimension,
  type ModelMetric,
  type RequiredAttributes,
  visibleDefinition,
} from '../../../core/query/index.ts';
import type { ColumnType } from '../../../engines/types.ts';
import type { Services } from '../../../services.ts';
import { lightdashFieldId } from '../../kit/index.ts';

/**
 * Rosetta models and data sources as Lightdash explores (spec §3.3). A model is the explore of
 * its name, its tables keep their names; a data source is a one-table explore whose table is
 * named like the source. Field ids are `<table>_<field>`, and every date or datetime dimension
 * also answers per time interval (`_day` … `_year`; `_raw` for datetimes), as issue 13 chose.
 */

export type DimensionType = 'string' | 'number' | 'timestamp' | 'date' | 'boolean';
export type MetricType =
  | 'percentile'
  | 'average'
  | 'count'
  | 'count_distinct'
  | 'sum'
  | 'min'
  | 'max'
  | 'number'
  | 'median';
export type TimeInterval = 'RAW' | 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR';

export const intervalGranularity = {
  DAY: 'day',
  WEEK: 'week',
  MONTH: 'month',
  QUARTER: 'quarter',
  YEAR: 'year',
} as const satisfies Record<Exclude<TimeInterval, 'RAW'>, string>;

const intervalsOf: Partial<Record<ColumnType, TimeInterval[]>> = {
  datetime: ['RAW', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'],
  date: ['DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'],
};

/** One field of an explore, with the Rosetta address it reads. */
export interface ExploreField {
  id: string;
  /** The Lightdash table and field names. */
  table: string;
  name: string;
  fieldType: 'dimension' | 'metric';
  type: DimensionType | MetricType;
  label: string;
  /** `table.field` of the model. */
  address: string;
  /** The column a dimension reads, when it reads one (additional metrics' `${TABLE}.col`). */
  column?: string;
  /** A time-interval dimension: its interval and its base dimension's name. */
  interval?: TimeInterval;
  baseName?: string;
  /** A date or datetime dimension with interval variants. */
  isIntervalBase?: boolean;
  requiredAttributes?: RequiredAttributes;
  /** A model metric's SQL or column, for the explore's `sql`. */
  sql: string;
}

export interface ExploreTable {
  /** The Lightdash name (field ids use it) and the model's table alias. */
  name: string;
  alias: string;
  relation: { schema?: string; table?: string; sql?: string };
  /**
   * Once `findExplore` resolved the model: the relation and the table's own name (the alias its
   * fields' `compiledSql` reads) as SQL of the model's engine, with its quoting.
   */
  sqlTable?: string;
  sqlAlias?: string;
  requiredAttributes?: RequiredAttributes;
}

export interface Explore {
  name: string;
  label: string;
  description?: string;
  /** What the query core is addressed with: the model's or the source's uuid. */
  source: string;
  baseTable: string;
  tables: ExploreTable[];
  joins: StoredModel['joins'];
  fields: ExploreField[];
}

/** Rosetta column types as Lightdash dimension types. */
export const dimensionTypeOf = (type: ColumnType): DimensionType =>
  type === 'integer' || type === 'number'
    ? 'number'
    : type === 'datetime'
      ? 'timestamp'
      : type === 'date'
        ? 'date'
        : type === 'boolean'
          ? 'boolean'
          : 'string';

const metricTypes: Partial<Record<Aggregation, MetricType>> = {
  sum: 'sum',
  avg: 'average',
  count: 'count',
  count_distinct: 'count_distinct',
  min: 'min',
  max: 'max',
  median: 'median',
  percentile: 'percentile',
};

const friendly = (name: string): string =>
  name.replaceAll('_', ' ').replace(/^\w/, (first) => first.toUpperCase());

type ExploreShape = Pick<StoredModel, 'baseTable' | 'joins' | 'dimensions' | 'metrics'> & {
  tables: ExploreTable[];
};

function exploreFields(shape: ExploreShape): ExploreField[] {
  const lightdashTable = new Map(shape.tables.map((table) => [table.alias, table.name]));
  const tableOf = (alias: string) => lightdashTable.get(alias) ?? alias;
  const fields: ExploreField[] = [];
  for (const dimension of shape.dimensions)
    fields.push(...dimensionFields(dimension, tableOf(dimension.table)));
  for (const metric of shape.metrics) fields.push(metricField(metric, tableOf(metric.table)));
  return fields;
}

function dimensionFields(dimension: ModelDimension, table: string): ExploreField[] {
  const sql = dimension.sql ?? `\${TABLE}.${dimension.column}`;
  const base: ExploreField = {
    id: lightdashFieldId({ table, field: dimension.name }),
    table,
    name: dimension.name,
    fieldType: 'dimension',
    type: dimensionTypeOf(dimension.type),
    label: dimension.label ?? friendly(dimension.name),
    address: `${dimension.table}.${dimension.name}`,
    ...(dimension.column !== undefined && { column: dimension.column }),
    ...(dimension.requiredAttributes && { requiredAttributes: dimension.requiredAttributes }),
    sql,
  };
  const intervals = intervalsOf[dimension.type];
  if (!intervals) return [base];
  return [
    { ...base, isIntervalBase: true },
    ...intervals.map((interval): ExploreField => {
      const name = `${dimension.name}_${interval.toLowerCase()}`;
      return {
        ...base,
        id: lightdashFieldId({ table, field: name }),
        name,
        // A bucket of a datetime starts at midnight: Lightdash types every bucket a date.
        type: interval === 'RAW' ? base.type : 'date',
        label: `${base.label} ${interval.toLowerCase()}`,
        interval,
        baseName: dimension.name,
      };
    }),
  ];
}

function metricField(metric: ModelMetric, table: string): ExploreField {
  const aggregation = metric.aggregation;
  return {
    id: lightdashFieldId({ table, field: metric.name }),
    table,
    name: metric.name,
    fieldType: 'metric',
    type: (aggregation && metricTypes[aggregation]) ?? 'number',
    label: metric.label ?? friendly(metric.name),
    address: `${metric.table}.${metric.name}`,
    ...(metric.requiredAttributes && { requiredAttributes: metric.requiredAttributes }),
    sql: metric.sql ?? metric.formula ?? (metric.column === undefined ? '*' : `\${TABLE}.${metric.column}`),
  };
}

export function exploreOfModel(model: StoredModel): Explore {
  const tables = model.tables.map(
    (table): ExploreTable => ({
      name: table.name,
      alias: table.name,
      ...(table.requiredAttributes && { requiredAttributes: table.requiredAttributes }),
      relation:
        'sql' in table
          ? { sql: table.sql }
          : 'table' in table
            ? { ...(table.schema !== undefined && { schema: table.schema }), table: table.table }
            : {},
    }),
  );
  const shape = { ...model, tables };
  return {
    name: model.name,
    label: friendly(model.name),
    // The uuid: another project may hold a model of the same name.
    source: model.uuid,
    baseTable: model.baseTable,
    tables,
    joins: model.joins,
    fields: exploreFields(shape),
  };
}

/** The model alias of a data source's one table (`SOURCE_TABLE` of the data module). */
const SOURCE_ALIAS = 'source';

export function exploreOfSource(source: DataSource): Explore {
  const tables: ExploreTable[] = [
    {
      name: source.name,
      alias: SOURCE_ALIAS,
      relation:
        source.sql !== undefined
          ? { sql: source.sql }
          : { ...(source.schema !== undefined && { schema: source.schema }), table: source.table },
    },
  ];
  const dimensions: ModelDimension[] = source.columns.map((column) => ({
    name: column.name,
    table: SOURCE_ALIAS,
    column: column.name,
    type: column.type,
  }));
  return {
    name: source.name,
    label: source.name,
    source: source.uuid,
    baseTable: source.name,
    tables,
    joins: [],
    fields: exploreFields({ baseTable: SOURCE_ALIAS, joins: [], dimensions, metrics: [], tables }),
  };
}

export type ExplorePorts = Pick<Services, 'data'>;
export type ResolvedExplorePorts = Pick<Services, 'data' | 'query'>;

/**
 * The explores of a project: its models, then the data sources the caller may see. Data sources
 * belong to no project, so they are explores of every project (a source without columns yet has
 * nothing to explore and is left out).
 */
export async function listExplores(
  ports: ExplorePorts,
  principal: Principal,
  project: Project,
): Promise<Explore[]> {
  const [models, sources] = await Promise.all([
    ports.data.models.list(principal, { projectId: project.id }),
    ports.data.sources.list(principal),
  ]);
  // A model hidden from the caller still hides the data source of its name.
  const modelNames = new Set(models.map((model) => model.name));
  const visible = models.flatMap((model) => visibleDefinition(principal, model) ?? []);
  return [
    ...visible.map(exploreOfModel),
    ...sources
      .filter((source) => source.columns.length > 0 && !modelNames.has(source.name))
      .map(exploreOfSource),
  ];
}

/** The explore of that name in the project with the model the query core runs it on; 404 NotExistsError otherwise. */
export async function findExplore(
  ports: ResolvedExplorePorts,
  principal: Principal,
  project: Project,
  name: string,
): Promise<{ explore: Explore; model: Model }> {
  const listed = (await listExplores(ports, principal, project)).find((candidate) => candidate.name === name);
  if (!listed) throw notFound('explore', name);
  const model = await ports.data.models.resolveModel(principal, listed.source);
  // A model's table may name a data source: the resolved model knows the relation it reads.
  const relationOf = new Map(model.tables.map((table) => [table.name, table.relation]));
  const tables = await Promise.all(
    listed.tables.map(async (table): Promise<ExploreTable> => {
      const resolved = relationOf.get(table.alias);
      const relation: ExploreTable['relation'] = !resolved
        ? table.relation
        : resolved.kind === 'sql'
          ? { sql: resolved.sql }
          : { ...(resolved.schema !== undefined && { schema: resolved.schema }), table: resolved.table };
      const sqlTable =
        relation.sql !== undefined
          ? `(${relation.sql})`
          : await ports.query.tableSql(
              model,
              [relation.schema, relation.table].filter((part) => part !== undefined),
            );
      return { ...table, relation, sqlTable, sqlAlias: await ports.query.tableSql(model, [table.name]) };
    }),
  );
  return { explore: { ...listed, tables }, model };
}

const summaryOf = (explore: Explore, tables: ExploreTable[]) => {
  const base = tables.find((table) => table.name === explore.baseTable);
  return {
    name: explore.name,
    label: explore.label,
    type: 'default' as const,
    tags: [] as string[],
    databaseName: base?.relation.schema ?? '',
    schemaName: base?.relation.schema ?? '',
    // clients.md lists it among the fields every summary has.
    description: explore.description ?? '',
  };
};

/** `GetExplores`' SummaryExplore. */
export const exploreSummary = (explore: Explore) => summaryOf(explore, explore.tables);

/**
 * `GetExplores?filtered=true`: the explores the project's table selection offers, by name or by
 * the tags their summaries show (spec §2.6); the core says which a selection keeps.
 */
export const selectedExplores = (explores: Explore[], selection: TableSelection): Explore[] =>
  explores.filter((explore) => tableSelected(selection, exploreSummary(explore)));

/** `GetExplore`'s Explore: tables with compiled dimensions and metrics, and the joins. */
export function exploreJson(explore: Explore) {
  const aliasOf = new Map(explore.tables.map((table) => [table.alias, table.name]));
  return {
    name: explore.name,
    label: explore.label,
    tags: [],
    type: 'default',
    baseTable: explore.baseTable,
    targetDatabase: 'postgres',
    tables: Object.fromEntries(explore.tables.map((table) => [table.name, tableJson(explore, table)])),
    joinedTables: explore.joins.map((join) => {
      const sqlOn = join.on
        .map(
          ({ left, right }) =>
            `\${${lightdashAddress(left, aliasOf)}} = \${${lightdashAddress(right, aliasOf)}}`,
        )
        .join(' AND ');
      return {
        table: aliasOf.get(join.table) ?? join.table,
        sqlOn,
        compiledSqlOn: sqlOn,
        type: join.type,
        hidden: false,
        always: false,
      };
    }),
  };
}

const lightdashAddress = (address: string, aliasOf: Map<string, string>): string => {
  const dot = address.indexOf('.');
  return `${aliasOf.get(address.slice(0, dot)) ?? address.slice(0, dot)}.${address.slice(dot + 1)}`;
};

function tableJson(explore: Explore, table: ExploreTable) {
  const fields = explore.fields.filter((field) => field.table === table.name);
  const { schema } = table.relation;
  return {
    name: table.name,
    label: table.name === explore.name ? explore.label : friendly(table.name),
    database: schema ?? '',
    schema: schema ?? '',
    sqlTable: table.sqlTable ?? '',
    ...(table.requiredAttributes && { requiredAttributes: table.requiredAttributes }),
    lineageGraph: {},
    dimensions: Object.fromEntries(
      fields
        .filter((field) => field.fieldType === 'dimension')
        .map((field) => [field.name, fieldJson(field, table)]),
    ),
    metrics: Object.fromEntries(
      fields
        .filter((field) => field.fieldType === 'metric')
        .map((field) => [field.name, fieldJson(field, table)]),
    ),
  };
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder of Lightdash SQL
const TABLE_PLACEHOLDER = '${TABLE}';

/** A CompiledDimension or CompiledMetric. */
export function fieldJson(field: ExploreField, table: ExploreTable | undefined) {
  return {
    fieldType: field.fieldType,
    type: field.type,
    name: field.name,
    label: field.label,
    table: field.table,
    tableLabel: friendly(field.table),
    sql: field.sql,
    compiledSql: field.sql.replaceAll(TABLE_PLACEHOLDER, table?.sqlAlias ?? `"${field.table}"`),
    tablesReferences: [field.table],
    hidden: false,
    ...(field.fieldType === 'metric' && { isAutoGenerated: false }),
    ...(field.interval !== undefined && {
      timeInterval: field.interval,
      timeIntervalBaseDimensionName: field.baseName,
    }),
    ...(field.isIntervalBase && { isIntervalBase: true }),
    ...(field.requiredAttributes && { requiredAttributes: field.requiredAttributes }),
  };
}
