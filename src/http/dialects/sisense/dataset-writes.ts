import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../../core/auth/index.ts';
import type { ModelInput, ModelService } from '../../../core/data/index.ts';
import { validationError } from '../../../core/errors.ts';
import { array, isJsonObject, type JsonObject, label, object, oneOf } from '../../../core/input.ts';
import type { ModelDimension } from '../../../core/query/index.ts';
import { hex24Codec } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import { type DatasetPorts, datasetOf } from './datasets.ts';
import { type Elasticube, elasticubeByOid, findElasticube } from './elasticubes.ts';

/**
 * REST v1 datasets, writing side (DS-07, DS-09..DS-11) onto the core's model and data-source
 * services: a new dataset is a model on a connection; its permissions are the access list.
 * Sisense's `r` share lets a party query, `w` and `a` let it edit too.
 */

type AccessEntry = Parameters<ModelService['setAccess']>[2][number];

const MAX_TABLES = 200;
const MAX_COLUMNS = 2000;

/** `connection`: the connection's oid, or an object carrying it as `oid` or `_id`. */
async function connectionIdOf(ports: DatasetPorts, principal: Principal, value: unknown): Promise<number> {
  const oid = isJsonObject(value) ? (value.oid ?? value._id) : value;
  const id = await hex24Codec(ports.externalIds, 'connection').decode(
    principal.organizationId,
    oid,
    'connection',
  );
  if (id === undefined)
    throw validationError('connection', `no connection ${String(oid)}`, 'data.connection_unknown');
  return Number(id);
}

/** `schema.tables`: each a warehouse table (`table` or its `name`, optional `schemaName`) and its columns. */
function tablesOf(schema: JsonObject): Pick<ModelInput, 'baseTable' | 'tables' | 'dimensions'> {
  const tables = array('schema.tables', schema.tables, MAX_TABLES).map((raw, i) => {
    const path = `schema.tables[${i}]`;
    const table = object(path, raw);
    const name = label(`${path}.name`, table.name ?? table.id);
    const columns = array(`${path}.columns`, table.columns, MAX_COLUMNS).map((column, j) => {
      const entry = object(`${path}.columns[${j}]`, column);
      return label(`${path}.columns[${j}].name`, entry.name ?? entry.id);
    });
    return {
      name,
      table: table.table === undefined ? name : label(`${path}.table`, table.table),
      ...(table.schemaName !== undefined && { schema: label(`${path}.schemaName`, table.schemaName) }),
      columns,
    };
  });
  if (tables.length === 0) throw validationError('schema.tables', 'must list at least one table');
  return {
    baseTable: tables[0].name,
    tables: tables.map(({ name, table, schema }) => ({ name, table, ...(schema && { schema }) })),
    // Without a type, the model service takes each column's type from the warehouse.
    dimensions: tables.flatMap((table) =>
      table.columns.map((column) => ({ name: column, table: table.name, column }) as ModelDimension),
    ),
  };
}

const titleOf = (body: JsonObject): string => label('title', body.title ?? body.name, 200);

/** A share's party: the user's or group's oid; one that names nobody is Sisense's 23005 / 23006. */
async function accessOf(ports: DatasetPorts, principal: Principal, body: unknown): Promise<AccessEntry[]> {
  const shares = array(
    'permissions',
    isJsonObject(body) && 'permissions' in body ? body.permissions : body,
    500,
  );
  return Promise.all(
    shares.map(async (raw, i): Promise<AccessEntry> => {
      const share = object(`[${i}]`, raw);
      const subject = oneOf(`[${i}].type`, share.type, ['user', 'group'] as const);
      const permission = oneOf(`[${i}].permission`, share.permission ?? 'r', ['r', 'w', 'a'] as const);
      const id = await hex24Codec(ports.externalIds, subject).decode(
        principal.organizationId,
        share.party,
        `[${i}].party`,
      );
      if (id === undefined)
        throw validationError(
          `[${i}].party`,
          `no ${subject} ${String(share.party)}`,
          `directory.unknown_${subject}`,
        );
      return { subject, id: Number(id), level: permission === 'r' ? 'query' : 'edit' };
    }),
  );
}

async function permissionsOf(ports: DatasetPorts, principal: Principal, cube: Elasticube) {
  const { access } =
    cube.ref.kind === 'model'
      ? await ports.data.models.get(principal, cube.ref.id)
      : await ports.data.sources.get(principal, cube.ref.id);
  const parties = await Promise.all(
    access.map((entry) =>
      hex24Codec(ports.externalIds, entry.subject).encode({
        organizationId: principal.organizationId,
        id: entry.id,
        uuid: '',
      }),
    ),
  );
  return access.map((entry, i) => ({
    party: parties[i],
    type: entry.subject,
    permission: entry.level === 'query' ? 'r' : 'w',
  }));
}

export function registerDatasetWriteRoutes(app: App, ports: DatasetPorts): void {
  const create = async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = principalOf(request);
    const body = object('body', request.body);
    const title = titleOf(body);
    const connectionId = await connectionIdOf(ports, principal, body.connection);
    const schema = object('schema', body.schema);
    const model = await ports.data.models.create(principal, {
      name: title,
      connectionId,
      ...tablesOf(schema),
      joins: [],
      metrics: [],
      policies: [],
    });
    reply.code(201);
    return datasetOf(ports, principal, await findElasticube(ports, principal, model.name, 'title'));
  };
  app.post('/api/v1/datasets/', create);
  app.post('/api/v1/datasets', create);

  app.patch<{ Params: { id: string } }>('/api/v1/datasets/:id', async (request) => {
    const principal = principalOf(request);
    const cube = await elasticubeByOid(ports, principal, request.params.id);
    const body = object('body', request.body);
    const name = body.title === undefined && body.name === undefined ? undefined : titleOf(body);
    const connectionId =
      body.connection === undefined ? undefined : await connectionIdOf(ports, principal, body.connection);
    // Absent keys stay absent: the model service spreads the patch over the stored model.
    const patch = {
      ...(name !== undefined && { name }),
      ...(connectionId !== undefined && { connectionId }),
    };
    if (cube.ref.kind === 'model') await ports.data.models.update(principal, cube.ref.id, patch);
    else {
      if (connectionId !== undefined && connectionId !== cube.connectionId)
        throw validationError('connection', "a data source's connection is changed through the connection");
      await ports.data.sources.update(principal, cube.ref.id, { ...(name !== undefined && { name }) });
    }
    return datasetOf(ports, principal, await elasticubeByOid(ports, principal, request.params.id));
  });

  app.delete<{ Params: { id: string } }>('/api/v1/datasets/:id', async (request, reply) => {
    const principal = principalOf(request);
    const cube = await elasticubeByOid(ports, principal, request.params.id);
    if (cube.ref.kind === 'model') await ports.data.models.delete(principal, cube.ref.id);
    else await ports.data.sources.delete(principal, cube.ref.id);
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string } }>('/api/v1/datasets/:id/permissions', async (request) => {
    const principal = principalOf(request);
    return permissionsOf(ports, principal, await elasticubeByOid(ports, principal, request.params.id));
  });

  app.patch<{ Params: { id: string } }>('/api/v1/datasets/:id/permissions', async (request) => {
    const principal = principalOf(request);
    const cube = await elasticubeByOid(ports, principal, request.params.id);
    const access = await accessOf(ports, principal, request.body);
    if (cube.ref.kind === 'model') await ports.data.models.setAccess(principal, cube.ref.id, access);
    else await ports.data.sources.setAccess(principal, cube.ref.id, access);
    return permissionsOf(ports, principal, cube);
  });
}
