import type { Principal } from '../../../core/auth/index.ts';
import type { Connection, ConnectionInput } from '../../../core/data/index.ts';
import { notFound, validationError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { hex24Codec, type IdCodec } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import {
  isRecord,
  parametersJson,
  providerOf,
  readConnectionBody,
  withSisenseFields,
} from './connection-shapes.ts';
import { applyListOptions, type SisenseListQuery } from './list-options.ts';

/**
 * CON-01…06 (`/api/v1/connection`): Rosetta's connections, the built-in DuckDB among them, read,
 * created, changed and deleted (to the trash) through the core's connection service, which holds
 * every rule (developers read, admins change; the built-in one is fixed; one in use is kept).
 */

export type ConnectionPorts = Pick<Services, 'data' | 'externalIds'>;

type IdParams = { Params: { id: string } };

/** A connection as Sisense answers one: `_id`/`oid`, `provider`, `parameters` without secrets. */
export function connectionJson(connection: Connection, oid: string) {
  return {
    _id: oid,
    oid,
    name: connection.name,
    provider: providerOf(connection.type).name,
    parameters: parametersJson(connection),
    protectedParameters: connection.hasPassword ? ['Password'] : [],
    /** The built-in warehouse cannot be changed or deleted. */
    builtin: connection.builtin,
    created: connection.createdAt,
    lastUpdated: connection.updatedAt,
  };
}

export const connectionCodec = (ports: ConnectionPorts): IdCodec<string> =>
  hex24Codec(ports.externalIds, 'connection');

/** The connection an oid names; a malformed oid is a 400 on `field`, an unknown one a 404. */
export async function connectionByOid(
  ports: ConnectionPorts,
  principal: Principal,
  oid: unknown,
  field = 'id',
): Promise<Connection> {
  const ref = await connectionCodec(ports).decode(principal.organizationId, oid, field);
  if (ref === undefined) throw notFound('connection', String(oid));
  return ports.data.connections.get(principal, ref);
}

/** Sisense clients post the connection itself, or (as the doc names the body) `{connection: {...}}`. */
function connectionBody(body: unknown): Record<string, unknown> {
  if (!isRecord(body)) throw validationError('connection', 'must be an object');
  return isRecord(body.connection) && body.provider === undefined ? body.connection : body;
}

/** A name for a connection created without one: what it reads. */
function defaultName(input: Partial<ConnectionInput>): string {
  const where = input.type === 'duckdb' ? input.file : `${input.host ?? ''}/${input.database ?? ''}`;
  return `${input.type ? providerOf(input.type).title : 'connection'} ${where ?? ''}`.trim().slice(0, 200);
}

export function registerConnectionRoutes(app: App, ports: ConnectionPorts): void {
  const { connections } = ports.data;
  const codec = connectionCodec(ports);
  const listJson = async (list: Connection[]) => {
    const oids = await codec.encodeAll(list);
    return list.map((connection, i) => connectionJson(connection, oids[i]));
  };

  app.get<{ Querystring: SisenseListQuery }>('/api/v1/connection', async (request) =>
    applyListOptions(await listJson(await connections.list(principalOf(request))), request.query),
  );

  // Rosetta does not record when a connection was last used: its last change stands for it.
  app.get<{ Querystring: SisenseListQuery }>('/api/v1/connection/recent', async (request) => {
    const list = await connections.list(principalOf(request));
    const recent = [...list].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    return applyListOptions(await listJson(recent), request.query);
  });

  app.get<IdParams>('/api/v1/connection/:id', async (request) => {
    const connection = await connectionByOid(ports, principalOf(request), request.params.id);
    return connectionJson(connection, request.params.id.toLowerCase());
  });

  app.post('/api/v1/connection', async (request, reply) => {
    const principal = principalOf(request);
    const input = readConnectionBody(connectionBody(request.body));
    if (!input.type) throw validationError('provider', 'is required');
    const created = await withSisenseFields('parameters', () =>
      connections.create(principal, { ...input, name: input.name ?? defaultName(input) } as ConnectionInput),
    );
    return reply.status(201).send(connectionJson(created, await codec.encode(created)));
  });

  app.patch<IdParams>('/api/v1/connection/:id', async (request) => {
    const principal = principalOf(request);
    const current = await connectionByOid(ports, principal, request.params.id);
    const patch = readConnectionBody(connectionBody(request.body));
    const updated = await withSisenseFields('parameters', () =>
      connections.update(principal, current.id, patch),
    );
    return connectionJson(updated, request.params.id.toLowerCase());
  });

  app.delete<IdParams>('/api/v1/connection/:id', async (request, reply) => {
    const principal = principalOf(request);
    const connection = await connectionByOid(ports, principal, request.params.id);
    await connections.delete(principal, connection.id);
    return reply.status(204).send();
  });
}
