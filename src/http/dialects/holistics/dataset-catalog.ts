import { can, type Principal } from '../../../core/auth/index.ts';
import type { DataSource, StoredModel } from '../../../core/data/index.ts';
import { SOURCE_TABLE } from '../../../core/data/index.ts';
import { notFound } from '../../../core/errors.ts';
import {
  type Aggregation,
  type Model,
  type ModelDimension,
  type ModelMetric,
  visibleDefinition,
} from '../../../core/query/index.ts';
import type { ColumnType } from '../../../engines/types.ts';
import type { Services } from '../../../services.ts';
import { type DatasetRef, datasetIdOf, datasetRefOf } from './dataset-ids.ts';

/**
 * Holistics datasets are Rosetta models and data sources (issue 14). A dataset's data models are
 * the model's tables (a source: one, named like the source); their dimensions and measures are
 * the model's dimensions and metrics on that table. Fields are addressed
 * `<data model name>.<field>`, which `fieldOf` turns into the model's own address.
 */

export type CatalogPorts = Pick<Services, 'data'>;

export type FieldType = 'date' | 'datetime' | 'number' | 'text' | 'truefalse' | 'unknown';

/** One field of a dataset, as a query addresses it, with what the query core reads. */
export interface DatasetField {
  /** `<data model name>.<field name>`. */
  address: string;
  /** The model's `table.field` address. */
  modelAddress: string;
  name: string;
  label: string;
  kind: 'dimension' | 'measure';
  type: FieldType;
  /** A measure's own aggregation, as Holistics names it (`count distinct`), else `custom`. */
  aggregation?: string;
  sql: string;
}

export interface DataModelView {
  /**
   * A table reading a data source is the data model of that source's id (one data model, shared
   * by the datasets reading it, as `/dependencies` addresses it); another table is its name.
   */
  id: number | string;
  /** The Holistics name of the data model: the table's name, or the source's. */
  name: string;
  /** The model's table alias. */
  alias: string;
  tableName: string | null;
  sql: string | null;
  fields: DatasetField[];
}

export interface Dataset {
  id: number;
  ref: DatasetRef;
  name: string;
  /** What the query core resolves the dataset by (the model's or the source's uuid). */
  source: string;
  connectionId: number;
  organizationId: number;
  projectId: number | null;
  canManage: boolean;
  baseModel: string;
  joins: StoredModel['joins'];
  dataModels: DataModelView[];
}

const fieldTypes: Record<ColumnType, FieldType> = {
  string: 'text',
  integer: 'number',
  number: 'number',
  boolean: 'truefalse',
  date: 'date',
  datetime: 'datetime',
  json: 'unknown',
};

/** Holistics' names of Rosetta aggregations (`AggregationType`). */
export const holisticsAggregationOf: Record<Aggregation, string> = {
  sum: 'sum',
  avg: 'avg',
  min: 'min',
  max: 'max',
  count: 'count',
  count_distinct: 'count distinct',
  median: 'median',
  percentile: 'custom',
  stddev: 'stdev',
  variance: 'var',
};

export const friendly = (name: string): string =>
  name.replaceAll('_', ' ').replace(/\b\w/g, (first) => first.toUpperCase());

function dimensionField(dimension: ModelDimension, modelName: string): DatasetField {
  return {
    address: `${modelName}.${dimension.name}`,
    modelAddress: `${dimension.table}.${dimension.name}`,
    name: dimension.name,
    label: dimension.label ?? friendly(dimension.name),
    kind: 'dimension',
    type: fieldTypes[dimension.type] ?? 'unknown',
    sql: dimension.sql ?? `{{ #THIS.${dimension.column ?? dimension.name} }}`,
  };
}

function measureField(metric: ModelMetric, modelName: string): DatasetField {
  return {
    address: `${modelName}.${metric.name}`,
    modelAddress: `${metric.table}.${metric.name}`,
    name: metric.name,
    label: metric.label ?? friendly(metric.name),
    kind: 'measure',
    type: 'number',
    aggregation: metric.aggregation ? holisticsAggregationOf[metric.aggregation] : 'custom',
    sql:
      metric.sql ??
      metric.formula ??
      `${(metric.aggregation ?? 'count').toUpperCase()}(${metric.column === undefined ? '*' : `{{ #THIS.${metric.column} }}`})`,
  };
}

/** The ids of the data sources the caller sees, by uuid: a model's tables name their source by uuid. */
type SourceIds = ReadonlyMap<string, number>;
const sourceIdsOf = (sources: DataSource[]): SourceIds =>
  new Map(sources.map((source) => [source.uuid, source.id]));

function datasetOfModel(principal: Principal, model: StoredModel, sourceIds: SourceIds): Dataset {
  const dataModels = model.tables.map((table): DataModelView => {
    const fields = [
      ...model.dimensions.filter((d) => d.table === table.name).map((d) => dimensionField(d, table.name)),
      ...model.metrics.filter((m) => m.table === table.name).map((m) => measureField(m, table.name)),
    ];
    const tableName =
      'table' in table
        ? [table.schema, table.table].filter(Boolean).join('.')
        : 'dataSource' in table
          ? table.dataSource
          : null;
    return {
      id: ('dataSource' in table && sourceIds.get(table.dataSource)) || table.name,
      name: table.name,
      alias: table.name,
      tableName,
      sql: 'sql' in table ? table.sql : null,
      fields,
    };
  });
  return {
    id: datasetIdOf({ kind: 'model', id: model.id }),
    ref: { kind: 'model', id: model.id },
    name: model.name,
    source: model.uuid,
    connectionId: model.connectionId,
    organizationId: model.organizationId,
    projectId: model.projectId,
    canManage: can(principal, 'model.manage'),
    baseModel: model.baseTable,
    joins: model.joins,
    dataModels,
  };
}

function datasetOfSource(principal: Principal, source: DataSource): Dataset {
  const dimensions: ModelDimension[] = source.columns.map((column) => ({
    name: column.name,
    table: SOURCE_TABLE,
    column: column.name,
    type: column.type,
  }));
  return {
    id: datasetIdOf({ kind: 'source', id: source.id }),
    ref: { kind: 'source', id: source.id },
    name: source.name,
    source: source.uuid,
    connectionId: source.connectionId,
    organizationId: source.organizationId,
    projectId: null,
    canManage: can(principal, 'source.manage'),
    baseModel: source.name,
    joins: [],
    dataModels: [
      {
        id: source.id,
        name: source.name,
        alias: SOURCE_TABLE,
        tableName: source.type === 'sql' ? null : [source.schema, source.table].filter(Boolean).join('.'),
        sql: source.sql ?? null,
        fields: dimensions.map((dimension) => dimensionField(dimension, source.name)),
      },
    ],
  };
}

/**
 * The datasets the caller sees: the models of their project (without the fields their attributes
 * hide), then the data sources with columns (a model hides the source of its name, as explores do).
 */
export async function listDatasets(ports: CatalogPorts, principal: Principal): Promise<Dataset[]> {
  const [models, sources] = await Promise.all([
    ports.data.models.list(principal, { projectId: principal.projectId }),
    ports.data.sources.list(principal),
  ]);
  const modelNames = new Set(models.map((model) => model.name));
  const sourceIds = sourceIdsOf(sources);
  return [
    ...models.flatMap((model) => {
      const visible = visibleDefinition(principal, model);
      return visible ? [datasetOfModel(principal, visible, sourceIds)] : [];
    }),
    ...sources
      .filter((source) => source.columns.length > 0 && !modelNames.has(source.name))
      .map((source) => datasetOfSource(principal, source)),
  ];
}

/** The dataset of that id the caller sees; 404 otherwise. */
export async function findDataset(ports: CatalogPorts, principal: Principal, id: number): Promise<Dataset> {
  const ref = datasetRefOf(id);
  if (ref.kind === 'model') {
    const model = await ports.data.models.get(principal, ref.id);
    const visible = visibleDefinition(principal, model);
    if (!visible) throw notFound('data set', id);
    return datasetOfModel(principal, visible, sourceIdsOf(await ports.data.sources.list(principal)));
  }
  const source = await ports.data.sources.get(principal, ref.id);
  return datasetOfSource(principal, source);
}

/** A query's field address, `<data model>.<field>`, as the dataset's field; undefined when it has none. */
export function fieldOf(dataset: Dataset, address: string): DatasetField | undefined {
  for (const model of dataset.dataModels) {
    const found = model.fields.find((field) => field.address === address);
    if (found) return found;
  }
  return undefined;
}

/** The model the query core runs the dataset's queries on. */
export const modelOfDataset = (ports: CatalogPorts, principal: Principal, dataset: Dataset): Promise<Model> =>
  ports.data.models.resolveModel(principal, dataset.source);
