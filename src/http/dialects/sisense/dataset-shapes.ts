import type { CubeField, Elasticube } from './elasticubes.ts';
import { CUBE_SERVER, fieldsOf } from './elasticubes.ts';

/**
 * How the data-source side of Sisense shows a cube: the JAQL catalogue (`/api/datasources`,
 * field search, the v2 schema) and REST v1 datasets. Every cube is an ElastiCube (`extract`,
 * never live) on `LocalHost`, its database named like it.
 */

/** A cube as a `datasource`: an entry of `GET /api/datasources`, and the data source of dashboards and widgets. */
export const datasourceJson = (cube: Elasticube) => ({
  title: cube.title,
  fullname: cube.fullname,
  id: cube.oid,
  oid: cube.oid,
  live: false,
  type: 'extract',
  address: CUBE_SERVER,
  database: cube.title,
});

/** One field of the field search, as JAQL clients read it. */
export const fieldJson = (field: CubeField) => ({
  id: field.id,
  type: field.type,
  dimtype: field.dimtype,
  title: field.title,
  table: field.table,
  column: field.column,
  tableTitle: field.table,
  columnTitle: field.title,
  indexed: true,
  merged: false,
});

/** A cube's tables and columns (its dimensions; measures are no columns of a table). */
export const schemaJson = (cube: Elasticube) => ({
  tables: cube.tables.map((table) => ({
    id: table.name,
    name: table.name,
    type: 'base',
    columns: table.fields
      .filter((field) => field.type === 'dimension')
      .map((field) => ({ id: field.column, name: field.column, type: field.dimtype, hidden: false })),
  })),
});

/** The schema as queries see it (DS-03 "transformed"): every field, measures included, by its JAQL id. */
export const transformedSchemaJson = (cube: Elasticube) => ({
  tables: cube.tables.map((table) => ({
    id: table.name,
    name: table.name,
    columns: table.fields.map((field) => ({ ...fieldJson(field), dim: field.id })),
  })),
});

/** A REST v1 dataset; `connection` is the connection's oid, or the object when expanded. */
export const datasetJson = (cube: Elasticube, connection: unknown) => ({
  _id: cube.oid,
  oid: cube.oid,
  title: cube.title,
  fullname: cube.fullname,
  type: 'extract',
  live: false,
  address: CUBE_SERVER,
  database: cube.title,
  connection,
  schema: schemaJson(cube),
  created: cube.createdAt,
  lastUpdated: cube.updatedAt,
});

/** The field of a cube a `[Table.Column]` id names, or undefined. */
export const cubeField = (cube: Elasticube, table: unknown, column: unknown): CubeField | undefined =>
  fieldsOf(cube).find(
    (field) => field.type === 'dimension' && field.table === table && field.column === column,
  );
