import type { Principal } from '../../../core/auth/index.ts';
import type { DataSource, StoredModel } from '../../../core/data/index.ts';
import { SOURCE_TABLE } from '../../../core/data/index.ts';
import { notFound, validationError } from '../../../core/errors.ts';
import { type Aggregation, type Model, visibleDefinition } from '../../../core/query/index.ts';
import type { ColumnType } from '../../../engines/types.ts';
import type { Services } from '../../../services.ts';
import { hex24Codec, sisenseFieldId } from '../../kit/index.ts';

/**
 * Every Rosetta model and data source is a Sisense ElastiCube (data model) and a JAQL data source
 * whose title is its name (issue 15). A model's tables keep their names; a data source is one
 * table named like the source. Fields are addressed `[Table.Column]` (`dim` in JAQL); a model's
 * metrics are the cube's measures, addressed the same way.
 */

export type CatalogPorts = Pick<Services, 'data' | 'externalIds'>;

/** The server every cube is on, as Sisense writes it in `fullname` and `address`. */
export const CUBE_SERVER = 'LocalHost';

export type Dimtype = 'text' | 'numeric' | 'datetime';

/** One field of a cube, as JAQL and the field search show it. */
export interface CubeField {
  /** `[Table.Column]`. */
  id: string;
  type: 'dimension' | 'measure';
  dimtype: Dimtype;
  table: string;
  column: string;
  title: string;
  /** The model's `table.field` address, which the query core resolves. */
  modelAddress: string;
  /** A measure's own aggregation. */
  aggregation?: Aggregation;
  columnType: ColumnType;
}

export type CubeRef = { kind: 'model'; id: number } | { kind: 'source'; id: number };

export interface Elasticube {
  ref: CubeRef;
  /** The 24-hex oid, stable across faces. */
  oid: string;
  title: string;
  /** `LocalHost/<title>`: how data security and datasets address the cube. */
  fullname: string;
  /** What the query core resolves the cube by (the model's or the source's uuid). */
  source: string;
  connectionId: number;
  organizationId: number;
  createdAt: string;
  updatedAt: string;
  tables: Array<{ name: string; fields: CubeField[] }>;
}

const dimtypes: Record<ColumnType, Dimtype> = {
  string: 'text',
  integer: 'numeric',
  number: 'numeric',
  boolean: 'text',
  date: 'datetime',
  datetime: 'datetime',
  json: 'text',
};

export const fullnameOf = (title: string): string => `${CUBE_SERVER}/${title}`;

function cubeOfModel(model: StoredModel, oid: string): Elasticube {
  const tables = model.tables.map((table) => ({
    name: table.name,
    fields: [
      ...model.dimensions
        .filter((dimension) => dimension.table === table.name)
        .map(
          (dimension): CubeField => ({
            id: sisenseFieldId({ table: table.name, field: dimension.name }),
            type: 'dimension',
            dimtype: dimtypes[dimension.type] ?? 'text',
            table: table.name,
            column: dimension.name,
            title: dimension.label ?? dimension.name,
            modelAddress: `${table.name}.${dimension.name}`,
            columnType: dimension.type,
          }),
        ),
      ...model.metrics
        .filter((metric) => metric.table === table.name)
        .map(
          (metric): CubeField => ({
            id: sisenseFieldId({ table: table.name, field: metric.name }),
            type: 'measure',
            dimtype: 'numeric',
            table: table.name,
            column: metric.name,
            title: metric.label ?? metric.name,
            modelAddress: `${table.name}.${metric.name}`,
            columnType: 'number',
            ...(metric.aggregation && { aggregation: metric.aggregation }),
          }),
        ),
    ],
  }));
  return {
    ref: { kind: 'model', id: model.id },
    oid,
    title: model.name,
    fullname: fullnameOf(model.name),
    source: model.uuid,
    connectionId: model.connectionId,
    organizationId: model.organizationId,
    createdAt: model.createdAt,
    updatedAt: model.updatedAt,
    tables,
  };
}

function cubeOfSource(source: DataSource, oid: string): Elasticube {
  return {
    ref: { kind: 'source', id: source.id },
    oid,
    title: source.name,
    fullname: fullnameOf(source.name),
    source: source.uuid,
    connectionId: source.connectionId,
    organizationId: source.organizationId,
    createdAt: source.createdAt,
    updatedAt: source.updatedAt,
    tables: [
      {
        name: source.name,
        fields: source.columns.map(
          (column): CubeField => ({
            id: sisenseFieldId({ table: source.name, field: column.name }),
            type: 'dimension',
            dimtype: dimtypes[column.type] ?? 'text',
            table: source.name,
            column: column.name,
            title: column.name,
            modelAddress: `${SOURCE_TABLE}.${column.name}`,
            columnType: column.type,
          }),
        ),
      },
    ],
  };
}

/**
 * The cubes the caller sees: the models of their project (without the fields their attributes
 * hide), then the data sources with columns that no model's title shadows.
 */
export async function listElasticubes(ports: CatalogPorts, principal: Principal): Promise<Elasticube[]> {
  const [models, sources] = await Promise.all([
    ports.data.models.list(principal, { projectId: principal.projectId }),
    ports.data.sources.list(principal),
  ]);
  const modelNames = new Set(models.map((model) => model.name));
  const visibleModels = models.flatMap((model) => {
    const visible = visibleDefinition(principal, model);
    return visible ? [visible] : [];
  });
  const shownSources = sources.filter((source) => source.columns.length > 0 && !modelNames.has(source.name));
  const [modelOids, sourceOids] = await Promise.all([
    hex24Codec(ports.externalIds, 'model').encodeAll(visibleModels),
    hex24Codec(ports.externalIds, 'data_source').encodeAll(shownSources),
  ]);
  return [
    ...visibleModels.map((model, i) => cubeOfModel(model, modelOids[i])),
    ...shownSources.map((source, i) => cubeOfSource(source, sourceOids[i])),
  ];
}

/** The cube of that title (or `LocalHost/<title>` fullname) the caller sees; 404 otherwise. */
export async function findElasticube(
  ports: CatalogPorts,
  principal: Principal,
  titleOrFullname: unknown,
  field = 'datasource',
): Promise<Elasticube> {
  if (typeof titleOrFullname !== 'string' || titleOrFullname.trim() === '')
    throw validationError(field, 'must name a data source (its title)');
  const cubes = await listElasticubes(ports, principal);
  const wanted = titleOrFullname.toLowerCase();
  const found =
    cubes.find((cube) => cube.title === titleOrFullname || cube.fullname === titleOrFullname) ??
    cubes.find((cube) => cube.title.toLowerCase() === wanted || cube.fullname.toLowerCase() === wanted);
  if (!found) throw notFound('data source', titleOrFullname);
  return found;
}

/** The cube of that oid the caller sees; 404 otherwise (a malformed oid is a 400 on `field`). */
export async function elasticubeByOid(
  ports: CatalogPorts,
  principal: Principal,
  oid: unknown,
  field = 'id',
): Promise<Elasticube> {
  const [asModel, asSource] = await Promise.all([
    hex24Codec(ports.externalIds, 'model').decode(principal.organizationId, oid, field),
    hex24Codec(ports.externalIds, 'data_source').decode(principal.organizationId, oid, field),
  ]);
  const cubes = await listElasticubes(ports, principal);
  const found = cubes.find(
    (cube) =>
      (cube.ref.kind === 'model' && cube.ref.id === asModel) ||
      (cube.ref.kind === 'source' && cube.ref.id === asSource),
  );
  if (!found) throw notFound('dataset', String(oid));
  return found;
}

/** Every field of the cube, in table order. */
export const fieldsOf = (cube: Elasticube): CubeField[] => cube.tables.flatMap((table) => table.fields);

/** The model the query core runs the cube's queries on. */
export const modelOfCube = (ports: CatalogPorts, principal: Principal, cube: Elasticube): Promise<Model> =>
  ports.data.models.resolveModel(principal, cube.source);
