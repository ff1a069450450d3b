import type { SisenseFaceConfig } from '../../../config.ts';
import type { Principal } from '../../../core/auth/index.ts';
import type { StoredModel } from '../../../core/data/index.ts';
import { conflict, notFound, validationError } from '../../../core/errors.ts';
import type { ModelJoin } from '../../../core/query/index.ts';
import type { Services } from '../../../services.ts';
import { renameFields } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import { CUBE_SERVER, findElasticube } from './elasticubes.ts';

/**
 * Data-model maintenance on ElastiCubes addressed `{server}/{title}` (catalogue §2.13): custom
 * tables (EC-05) and manual SQL queries (EC-06) are both SQL-defined tables of the model, which
 * run on the model's connection (Rosetta imports nothing into a cube, so an "import query" and a
 * "custom table" are the same thing); deleting a custom field (EC-F2) drops a field the model
 * computes with SQL. Server tuning, ElastiCube sets and R servers do not exist in Rosetta, so
 * those routes answer as Sisense does when a feature is unavailable, naming it.
 */

export type CubeModellingPorts = Pick<Services, 'data' | 'externalIds'>;

type CubeParams = { Params: { server: string; title: string } };
type FieldParams = { Params: { server: string; title: string; tableName: string; fieldName: string } };
type ServerParams = { Params: { server: string } };

const NOT_AVAILABLE = 'feature.not_configured';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every cube is on the one server, `LocalHost`. */
function checkServer(server: string): void {
  if (server.toLowerCase() !== CUBE_SERVER.toLowerCase()) throw notFound('ElastiCube server', server);
}

/** The stored model behind the cube `{server}/{title}`; a data source's cube has no tables to add. */
async function modelOf(ports: CubeModellingPorts, principal: Principal, server: string, title: string) {
  checkServer(server);
  const cube = await findElasticube(ports, principal, title, 'title');
  if (cube.ref.kind !== 'model')
    throw validationError(
      'title',
      `"${cube.title}" is a data source, not a data model: build a model on it first`,
    );
  return ports.data.models.get(principal, cube.ref.id);
}

function text(body: Record<string, unknown>, keys: readonly string[], at: string): string {
  const key = keys.find((name) => body[name] !== undefined) ?? keys[0];
  const value = body[key];
  if (typeof value !== 'string' || !value.trim())
    throw validationError(`${at}.${key}`, 'must be a non-empty string');
  return value;
}

const JOIN_TYPES = ['left', 'inner', 'right', 'full'] as const;

/** `[Table.Column]` (as JAQL writes fields) or `table.column`, as the core addresses a column. */
const columnAddress = (value: unknown): unknown =>
  typeof value === 'string' && value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;

/**
 * How the new table joins the model: Sisense lets a custom table stand alone, but every table of
 * a Rosetta model is joined to its base table, so the body says on which columns
 * (`join: {type?, on: [{left, right}]}`); the core checks the columns.
 */
function joinOf(fields: Record<string, unknown>, table: string, at: string): ModelJoin {
  const join = fields.join;
  if (!isRecord(join) || !Array.isArray(join.on) || join.on.length === 0)
    throw validationError(
      at ? `${at}.join` : 'join',
      'is required: {on: [{left: "[Base.column]", right: "[New.column]"}]} joins the table to the model',
    );
  const type = join.type ?? 'left';
  if (!JOIN_TYPES.includes(type as ModelJoin['type']))
    throw validationError(at ? `${at}.join.type` : 'join.type', `must be one of ${JOIN_TYPES.join(', ')}`);
  const on = join.on.map((condition: unknown) => {
    const pair = isRecord(condition) ? condition : {};
    return { left: columnAddress(pair.left), right: columnAddress(pair.right) } as ModelJoin['on'][number];
  });
  return { table, type: type as ModelJoin['type'], on };
}

/** `{<key>: {name, query, join}}` as the doc names the body, or the same fields at the top. */
function sqlTableOf(body: unknown, key: string): { name: string; sql: string; join: ModelJoin; at: string } {
  if (!isRecord(body)) throw validationError(key, 'must be an object');
  const nested = isRecord(body[key]);
  const fields = nested ? (body[key] as Record<string, unknown>) : body;
  const at = nested ? key : '';
  const prefix = (name: string) => (at ? `${at}.${name}` : name);
  const name = text(fields, ['name', 'tableName'], at).trim();
  if (name.length > 200 || name.includes('.'))
    throw validationError(prefix('name'), 'must be at most 200 characters, without "."');
  return { name, sql: text(fields, ['query', 'sql', 'expression'], at), join: joinOf(fields, name, at), at };
}

/**
 * Adds the SQL table to the model with a field per column the warehouse says it returns
 * (`connections.sqlModel` types the statement without running it in full).
 */
async function addSqlTable(
  ports: CubeModellingPorts,
  principal: Principal,
  model: StoredModel,
  body: unknown,
  key: string,
) {
  const { name, sql, join, at } = sqlTableOf(body, key);
  const queryField = at ? `${at}.query` : 'query';
  const joinField = at ? `${at}.join` : 'join';
  if (model.tables.some((table) => table.name.toLowerCase() === name.toLowerCase()))
    throw conflict(`the model already has a table "${name}"`, at ? `${at}.name` : 'name');
  const described = await ports.data.connections
    .sqlModel(principal, model.connectionId, sql)
    .catch((error: unknown) => {
      throw renameFields(error, () => queryField);
    });
  const dimensions = described.dimensions.map((dimension) => ({ ...dimension, table: name }));
  const updated = await ports.data.models
    .update(principal, model.id, {
      tables: [...model.tables, { name, sql }],
      joins: [...model.joins, join],
      dimensions: [...model.dimensions, ...dimensions],
    })
    .catch((error: unknown) => {
      throw renameFields(error, (field) =>
        field.startsWith('tables') ? queryField : field.startsWith('joins') ? joinField : field,
      );
    });
  return {
    name,
    type: 'custom',
    query: sql,
    elasticube: updated.name,
    columns: dimensions.map((dimension) => ({ name: dimension.name, type: dimension.type })),
  };
}

export function registerCubeModellingRoutes(
  app: App,
  ports: CubeModellingPorts,
  config: SisenseFaceConfig,
): void {
  const cube = '/api/v1/elasticubes/:server/:title';

  app.post<CubeParams>(`${cube}/custom_tables`, async (request, reply) => {
    const principal = principalOf(request);
    const model = await modelOf(ports, principal, request.params.server, request.params.title);
    return reply.status(201).send(await addSqlTable(ports, principal, model, request.body, 'tableSqlQuery'));
  });

  app.post<CubeParams>(`${cube}/sql_manual_query`, async (request, reply) => {
    const principal = principalOf(request);
    const model = await modelOf(ports, principal, request.params.server, request.params.title);
    return reply
      .status(201)
      .send(await addSqlTable(ports, principal, model, request.body, 'manualTableSqlQuery'));
  });

  // EC-F2: its route was lost from the doc; the table and field are path segments, as `tableName` is.
  app.delete<FieldParams>(`${cube}/custom_fields/:tableName/:fieldName`, async (request, reply) => {
    const principal = principalOf(request);
    const { server, title, tableName, fieldName } = request.params;
    const model = await modelOf(ports, principal, server, title);
    if (!model.tables.some((table) => table.name === tableName)) throw notFound('table', tableName);
    const isField = (field: { table: string; name: string }) =>
      field.table === tableName && field.name === fieldName;
    const field = model.dimensions.find(isField) ?? model.metrics.find(isField);
    if (!field) throw notFound('field', `${tableName}.${fieldName}`);
    if (!field.sql)
      throw validationError(
        'fieldName',
        `"${fieldName}" reads a column of the table: it is not a custom field`,
      );
    await ports.data.models.update(principal, model.id, {
      dimensions: model.dimensions.filter((dimension) => !isField(dimension)),
      metrics: model.metrics.filter((metric) => !isField(metric)),
    });
    return reply.status(204).send();
  });

  const servers = '/api/v1/elasticubes/servers/:server';

  // EC-01: the knobs Rosetta has. Query results are capped by configuration; there is no R server.
  app.get<ServerParams>(`${servers}/settings`, async (request) => {
    checkServer(request.params.server);
    return { ResultLimit: config.maxRows, RserverEnabled: false, Rserver: '' };
  });

  app.post<ServerParams>(`${servers}/settings`, async (request) => {
    checkServer(request.params.server);
    throw validationError(
      'serverSettings',
      "Rosetta's query server is tuned by its configuration (ROSETTA_SISENSE_MAX_ROWS, ROSETTA_MAX_QUERY_ROWS…), not through the API",
      NOT_AVAILABLE,
    );
  });

  // EC-F1: its route was lost from the doc; this one sits beside the server's settings.
  app.get<ServerParams>(`${servers}/rserver/test`, async (request) => {
    checkServer(request.params.server);
    throw validationError('rserver', 'R servers are not available in Rosetta', NOT_AVAILABLE);
  });

  app.post('/api/v1/elasticubes/sets', async () => {
    throw validationError(
      'fullNames',
      'ElastiCube sets are not available in Rosetta: each data model is served by the one server',
      NOT_AVAILABLE,
    );
  });
}
