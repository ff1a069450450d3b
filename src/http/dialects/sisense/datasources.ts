import type { FastifyRequest } from 'fastify';
import { validationError } from '../../../core/errors.ts';
import { integer, isJsonObject, text } from '../../../core/input.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import { datasourceJson, fieldJson, schemaJson } from './dataset-shapes.ts';
import {
  type CatalogPorts,
  type Elasticube,
  fieldsOf,
  findElasticube,
  listElasticubes,
} from './elasticubes.ts';

/**
 * The JAQL catalogue Sisense's query clients read (clients.md ## Sisense): the data sources, the
 * fields of one (with the search the field picker sends) and the v2 schema of a data model.
 */

const MAX_FIELDS = 100_000;

/** `sharedWith` (`r,w`: sources shared with the caller to read or write) lists every cube the caller sees. */
const SHARED_WITH = /^[rwa](,[rwa])*$/;

interface FieldSearch {
  offset: number;
  count: number;
  term?: string;
  tableFilter?: string;
}

function fieldSearchOf(body: unknown): FieldSearch {
  const given = body === undefined || body === null ? {} : body;
  if (!isJsonObject(given)) throw validationError('body', 'must be a JSON object');
  return {
    offset: given.offset === undefined ? 0 : integer('offset', given.offset, 0, MAX_FIELDS),
    count: given.count === undefined ? MAX_FIELDS : integer('count', given.count, 0, MAX_FIELDS),
    ...(given.term !== undefined && given.term !== null && { term: text('term', given.term, 1000) }),
    ...(given.tableFilter !== undefined &&
      given.tableFilter !== null && { tableFilter: text('tableFilter', given.tableFilter, 1000) }),
  };
}

export function registerDatasourceRoutes(app: App, services: Services): void {
  const ports: CatalogPorts = services;

  const list = async (request: FastifyRequest) => {
    const { sharedWith } = (request.query ?? {}) as { sharedWith?: unknown };
    if (sharedWith !== undefined && (typeof sharedWith !== 'string' || !SHARED_WITH.test(sharedWith)))
      throw validationError('sharedWith', 'must be letters r, w or a separated by commas');
    const cubes = await listElasticubes(ports, principalOf(request));
    return cubes.map(datasourceJson);
  };
  app.get('/api/datasources', list);
  app.get('/api/datasources/', list);

  app.post<{ Params: { title: string } }>('/api/datasources/:title/fields/search', async (request) => {
    const search = fieldSearchOf(request.body);
    const cube = await findElasticube(ports, principalOf(request), request.params.title, 'title');
    const term = search.term?.toLowerCase();
    const found = fieldsOf(cube).filter(
      (field) =>
        (search.tableFilter === undefined || field.table === search.tableFilter) &&
        (term === undefined ||
          field.title.toLowerCase().includes(term) ||
          field.column.toLowerCase().includes(term) ||
          field.table.toLowerCase().includes(term)),
    );
    return found.slice(search.offset, search.offset + search.count).map(fieldJson);
  });

  /** With `title`, that data model; without, every one the caller sees. */
  app.get<{ Querystring: { title?: unknown } }>('/api/v2/datamodels/schema', async (request) => {
    const principal = principalOf(request);
    const modelJson = (cube: Elasticube) => ({
      oid: cube.oid,
      title: cube.title,
      fullname: cube.fullname,
      type: 'extract',
      server: 'LocalHost',
      lastUpdated: cube.updatedAt,
      datasets: [{ oid: cube.oid, name: cube.title, type: 'extract', schema: schemaJson(cube) }],
    });
    const { title } = request.query;
    if (title === undefined) return (await listElasticubes(ports, principal)).map(modelJson);
    return modelJson(await findElasticube(ports, principal, title, 'title'));
  });
}
