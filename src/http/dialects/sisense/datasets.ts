import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../../core/auth/index.ts';
import { validationError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { hex24Codec } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import { datasetJson, transformedSchemaJson } from './dataset-shapes.ts';
import {
  CUBE_SERVER,
  type Elasticube,
  elasticubeByOid,
  findElasticube,
  listElasticubes,
} from './elasticubes.ts';
import { applyListOptions } from './list-options.ts';

/**
 * REST v1 datasets, reading side (catalogue §2.12 DS-01..DS-05): every Rosetta model and data
 * source as a dataset whose `fullname` is the one `/api/datasources` gives. The only expandable
 * field is `connection`, shown without its `parameters` (the seed says so).
 */

export type DatasetPorts = Pick<Services, 'data' | 'externalIds'>;

interface DatasetQuery {
  expand?: unknown;
  fields?: string;
}

/** `expand`: a comma-separated list (or repeated parameter) of which only `connection` expands. */
function expandsConnection(expand: unknown): boolean {
  if (expand === undefined || expand === '') return false;
  const names = (Array.isArray(expand) ? expand : [expand]).flatMap((value) =>
    typeof value === 'string' ? value.split(',').map((name) => name.trim()) : [null],
  );
  if (names.some((name) => name !== 'connection'))
    throw validationError('expand', 'only "connection" expands on a dataset');
  return true;
}

/** The dataset's connection: its oid, or (expanded) the connection without its parameters. */
async function connectionOf(ports: DatasetPorts, principal: Principal, cube: Elasticube, expand: boolean) {
  const oid = await hex24Codec(ports.externalIds, 'connection').encode({
    organizationId: cube.organizationId,
    id: cube.connectionId,
    uuid: '',
  });
  if (!expand) return oid;
  const connection = await ports.data.connections.get(principal, cube.connectionId);
  return { _id: oid, oid, name: connection.name, title: connection.name, provider: connection.type };
}

export async function datasetOf(ports: DatasetPorts, principal: Principal, cube: Elasticube, expand = false) {
  return datasetJson(cube, await connectionOf(ports, principal, cube, expand));
}

/**
 * A `fullname` from the path: `LocalHost/<title>` encoded as one segment (`%2F`), or written as
 * two segments (`server`, `title`); a bare title is taken as well.
 */
export function fullnameParam(params: { fullname?: string; server?: string; title?: string }): string {
  return params.server !== undefined ? `${params.server}/${params.title ?? ''}` : (params.fullname ?? '');
}

/** The cube a fullname names, whose server must be this one. */
export async function cubeByFullname(ports: DatasetPorts, principal: Principal, fullname: string) {
  const slash = fullname.indexOf('/');
  if (slash >= 0 && fullname.slice(0, slash).toLowerCase() !== CUBE_SERVER.toLowerCase())
    throw validationError('fullname', `must be on server ${CUBE_SERVER}`);
  return findElasticube(ports, principal, fullname, 'fullname');
}

export function registerDatasetReadRoutes(app: App, ports: DatasetPorts): void {
  const list = async (request: FastifyRequest<{ Querystring: DatasetQuery }>) => {
    const principal = principalOf(request);
    const expand = expandsConnection(request.query.expand);
    const cubes = await listElasticubes(ports, principal);
    const datasets = await Promise.all(cubes.map((cube) => datasetOf(ports, principal, cube, expand)));
    return applyListOptions(datasets, { fields: request.query.fields });
  };
  app.get('/api/v1/datasets', list);
  app.get('/api/v1/datasets/', list);

  const byFullname = async (
    request: FastifyRequest<{
      Params: { fullname?: string; server?: string; title?: string };
      Querystring: DatasetQuery;
    }>,
  ) => {
    const principal = principalOf(request);
    const expand = expandsConnection(request.query.expand);
    const cube = await cubeByFullname(ports, principal, fullnameParam(request.params));
    return datasetOf(ports, principal, cube, expand);
  };
  app.get('/api/v1/datasets/by_fullname/:fullname', byFullname);
  app.get('/api/v1/datasets/by_fullname/:server/:title', byFullname);

  app.get<{ Params: { id: string }; Querystring: DatasetQuery }>('/api/v1/datasets/:id', async (request) => {
    const principal = principalOf(request);
    const expand = expandsConnection(request.query.expand);
    const cube = await elasticubeByOid(ports, principal, request.params.id);
    const [dataset] = applyListOptions([await datasetOf(ports, principal, cube, expand)], {
      fields: request.query.fields,
    });
    return dataset;
  });

  /** The dataset as queries see it: every field the caller may address, measures included. */
  app.get<{ Params: { id: string } }>('/api/v1/datasets/:id/transformed', async (request) => {
    const principal = principalOf(request);
    const cube = await elasticubeByOid(ports, principal, request.params.id);
    return { ...(await datasetOf(ports, principal, cube)), schema: transformedSchemaJson(cube) };
  });
}
