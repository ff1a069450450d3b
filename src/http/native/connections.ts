import { Type } from 'typebox';
import type { ConnectionService } from '../../core/data/index.ts';
import { listReply, PageQuery } from '../kit/paging.ts';
import { type App, principalOf } from '../server.ts';

/**
 * Connections under /api (the lead mounts this behind the auth hook). Permissions are enforced
 * by the ConnectionService: read/test developer+, create/change/delete admin. No response ever
 * carries a password, only `hasPassword`.
 */
const Params = Type.Object({ id: Type.String({ minLength: 1 }) });

const fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  type: Type.Union([
    Type.Literal('duckdb'),
    Type.Literal('postgres'),
    Type.Literal('mysql'),
    Type.Literal('clickhouse'),
  ]),
  host: Type.Optional(Type.String()),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  database: Type.Optional(Type.String()),
  user: Type.Optional(Type.String()),
  password: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  ssl: Type.Optional(Type.Boolean()),
  file: Type.Optional(Type.String()),
};

const CreateBody = Type.Object(fields, { additionalProperties: false });
const PatchBody = Type.Object(
  {
    ...fields,
    name: Type.Optional(fields.name),
    type: Type.Optional(fields.type),
  },
  { additionalProperties: false },
);

const SqlBody = Type.Object(
  {
    sql: Type.String({ minLength: 1, maxLength: 100_000 }),
    // Bounds are checked by the core, which names them in its 400.
    limit: Type.Optional(Type.Integer({ description: 'Rows returned at most (default 1000, up to 10000)' })),
  },
  { additionalProperties: false },
);

export function registerConnectionRoutes(app: App, deps: { connections: ConnectionService }): void {
  const { connections } = deps;

  app.get('/connections', { schema: { querystring: Type.Object(PageQuery) } }, async (request) =>
    listReply(await connections.list(principalOf(request)), request.query),
  );

  app.get('/connections/:id', { schema: { params: Params } }, async (request) =>
    connections.get(principalOf(request), request.params.id),
  );

  app.post('/connections', { schema: { body: CreateBody } }, async (request, reply) =>
    reply.status(201).send(await connections.create(principalOf(request), request.body)),
  );

  app.patch('/connections/:id', { schema: { params: Params, body: PatchBody } }, async (request) =>
    connections.update(principalOf(request), request.params.id, request.body),
  );

  app.delete('/connections/:id', { schema: { params: Params } }, async (request, reply) => {
    await connections.delete(principalOf(request), request.params.id);
    return reply.status(204).send();
  });

  app.post('/connections/:id/test', { schema: { params: Params } }, async (request) => {
    await connections.test(principalOf(request), request.params.id);
    return { ok: true };
  });

  app.get(
    '/connections/:id/schema',
    { schema: { summary: 'Schemas, tables and views with their columns (developer+)', params: Params } },
    async (request) => connections.schema(principalOf(request), request.params.id),
  );

  app.post(
    '/connections/:id/sql',
    {
      schema: {
        summary: 'Run one SELECT statement as written (developer+); a rejected statement is a 400',
        params: Params,
        body: SqlBody,
      },
    },
    async (request, reply) => {
      // A client that goes away cancels its statement on the warehouse.
      const abort = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      return connections.runSql(principalOf(request), request.params.id, request.body, abort.signal);
    },
  );
}
