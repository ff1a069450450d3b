import { basename, extname } from 'node:path';
import { Type } from 'typebox';
import type { Principal } from '../../../core/auth/index.ts';
import type { Connection } from '../../../core/data/index.ts';
import type { Project } from '../../../core/directory/index.ts';
import { conflict, notFound, validationError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import { ok } from './envelope.ts';
import { dimensionTypeOf, listExplores } from './explores.ts';
import { notConfigured } from './integrations.ts';
import { projectConnection } from './query-routes.ts';
import { PivotBody, pivotIr } from './sql-runner-pivot.ts';
import { registerSavedSqlRoutes } from './sql-runner-saved.ts';

/**
 * The SQL runner's hidden controller (spec Appendix B) beside `run` and `results` (query-routes.ts):
 * the warehouse's tables and columns, pivot runs, saved SQL charts (sql-runner-saved.ts), and
 * virtual views, which are Rosetta SQL data sources and so explores of the project.
 */

export type SqlRunnerPorts = Pick<Services, 'directory' | 'data' | 'query' | 'queryJobs' | 'content'>;

const ProjectParams = Type.Object({ projectUuid: Type.String({ maxLength: 64 }) });
const ProjectView = Type.Object({
  projectUuid: Type.String({ maxLength: 64 }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
});
const FieldsQuery = Type.Object({
  tableName: Type.Optional(Type.String()),
  schemaName: Type.Optional(Type.String()),
  databaseName: Type.Optional(Type.String()),
});
const Open = { additionalProperties: true };
const VizColumn = Type.Object({ reference: Type.String() }, Open);
const VirtualView = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    sql: Type.String({ minLength: 1 }),
    columns: Type.Optional(Type.Array(VizColumn)),
  },
  Open,
);

/** Lightdash names a virtual view's explore by its name in snake case. */
const snakeCase = (name: string): string =>
  name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');

/** The database a warehouse's tables are listed under: its database, or its DuckDB file's name. */
const databaseOf = (connection: Connection): string =>
  connection.database ??
  (connection.file ? basename(connection.file, extname(connection.file)) : connection.name);

export function registerSqlRunnerRoutes(app: App, ports: SqlRunnerPorts, limits: { maxLimit: number }): void {
  const projectOf = (principal: Principal, uuid: string) =>
    ports.directory.projects.getByUuid(principal, uuid);
  const connectionOf = async (principal: Principal, project: Project) =>
    ports.data.connections.get(principal, await projectConnection(ports, principal, project));

  app.get(
    '/v1/projects/:projectUuid/sqlRunner/tables',
    { schema: { params: ProjectParams } },
    async (request) => {
      const principal = principalOf(request);
      const connection = await connectionOf(
        principal,
        await projectOf(principal, request.params.projectUuid),
      );
      const { schemas } = await ports.data.connections.schema(principal, connection.id);
      const tables = Object.fromEntries(
        schemas.map((schema) => [
          schema.name,
          Object.fromEntries(schema.tables.map((table) => [table.name, {}])),
        ]),
      );
      return ok({ [databaseOf(connection)]: tables });
    },
  );

  app.get(
    '/v1/projects/:projectUuid/sqlRunner/fields',
    { schema: { params: ProjectParams, querystring: FieldsQuery } },
    async (request) => {
      const principal = principalOf(request);
      const { tableName, schemaName } = request.query;
      if (!tableName) throw validationError('tableName', 'Table name is required');
      const connection = await connectionOf(
        principal,
        await projectOf(principal, request.params.projectUuid),
      );
      const { schemas } = await ports.data.connections.schema(principal, connection.id);
      const found = schemas
        .filter((schema) => schemaName === undefined || schema.name === schemaName)
        .flatMap((schema) => schema.tables.filter((table) => table.name === tableName));
      if (found.length === 0) throw notFound('table', tableName);
      if (found.length > 1)
        throw validationError('schemaName', `table "${tableName}" exists in several schemas; name one`);
      // `WarehouseTableSchema`: each column's dimension type by its name.
      return ok(
        Object.fromEntries(found[0].columns.map((column) => [column.name, dimensionTypeOf(column.type)])),
      );
    },
  );

  app.post(
    '/v1/projects/:projectUuid/sqlRunner/runPivotQuery',
    { schema: { params: ProjectParams, body: PivotBody } },
    async (request) => {
      const principal = principalOf(request);
      const project = await projectOf(principal, request.params.projectUuid);
      const { sql, limit = limits.maxLimit } = request.body;
      if (limit > limits.maxLimit)
        throw validationError('limit', `Query limit can not exceed ${limits.maxLimit}`);
      const connectionId = await projectConnection(ports, principal, project);
      const { ir, annotation } = pivotIr(request.body, limit);
      const state = await ports.queryJobs.submitSqlIr(principal, connectionId, sql, ir, { annotation });
      return ok({ jobId: state.id });
    },
  );

  app.post(
    '/v1/projects/:projectUuid/sqlRunner/refresh-catalog',
    { schema: { params: ProjectParams } },
    async (request) => {
      const principal = principalOf(request);
      const connection = await connectionOf(
        principal,
        await projectOf(principal, request.params.projectUuid),
      );
      // The core keeps no copy of the warehouse's tables: reading them is the refresh.
      await ports.data.connections.schema(principal, connection.id);
      return ok();
    },
  );

  /** The project's SQL source of that explore name; a table source or a model is no virtual view. */
  const virtualView = async (principal: Principal, name: string) => {
    const source = (await ports.data.sources.list(principal)).find(
      (candidate) => candidate.type === 'sql' && candidate.name === name,
    );
    if (!source) throw notFound('virtual view', name);
    return source;
  };
  const explores = async (principal: Principal, project: Project) =>
    new Set((await listExplores(ports, principal, project)).map((explore) => explore.name));
  const viewName = (name: string) => {
    const snake = snakeCase(name);
    if (!snake) throw validationError('name', 'must contain letters or digits');
    return snake;
  };

  app.post(
    '/v1/projects/:projectUuid/sqlRunner/virtual-view',
    { schema: { params: ProjectParams, body: VirtualView } },
    async (request) => {
      const principal = principalOf(request);
      const project = await projectOf(principal, request.params.projectUuid);
      const name = viewName(request.body.name);
      if ((await explores(principal, project)).has(name))
        throw conflict(`Virtual view with name ${name} already exists`, 'name');
      const connectionId = await projectConnection(ports, principal, project);
      await ports.data.sources.create(principal, { type: 'sql', name, connectionId, sql: request.body.sql });
      return ok({ name });
    },
  );

  app.put(
    '/v1/projects/:projectUuid/sqlRunner/virtual-view/:name',
    { schema: { params: ProjectView, body: VirtualView } },
    async (request) => {
      const principal = principalOf(request);
      const project = await projectOf(principal, request.params.projectUuid);
      const source = await virtualView(principal, request.params.name);
      const name = viewName(request.body.name);
      if (name !== source.name && (await explores(principal, project)).has(name))
        throw conflict(`Virtual view with name ${name} already exists`, 'name');
      await ports.data.sources.update(principal, source.uuid, { name, sql: request.body.sql });
      return ok({ name });
    },
  );

  app.delete(
    '/v1/projects/:projectUuid/sqlRunner/virtual-view/:name',
    { schema: { params: ProjectView } },
    async (request) => {
      const principal = principalOf(request);
      await projectOf(principal, request.params.projectUuid);
      const source = await virtualView(principal, request.params.name);
      await ports.data.sources.delete(principal, source.uuid);
      return ok();
    },
  );

  // Writing a virtual view back to dbt needs the GitHub integration, which Rosetta does not have.
  for (const route of ['preview', 'pull-request'] as const)
    app.post(
      `/v1/projects/:projectUuid/sqlRunner/${route}`,
      { schema: { params: ProjectParams, body: VirtualView } },
      async (request) => {
        await projectOf(principalOf(request), request.params.projectUuid);
        throw notConfigured('Github integration not configured');
      },
    );

  registerSavedSqlRoutes(app, ports);
}
