import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { SisenseFaceConfig } from '../../../config.ts';
import { validationError } from '../../../core/errors.ts';
import { createRunningQueries } from '../../../core/query/running-queries.ts';
import { type App, principalOf } from '../../server.ts';
import { elasticubeByOid, findElasticube, modelOfCube } from './elasticubes.ts';
import { csvLines } from './jaql/answer.ts';
import { xlsxOf } from './jaql/excel-export.ts';
import { planJaql } from './jaql/plan.ts';
import { readJaqlRequest } from './jaql/request.ts';
import { executeJaql, isQueryError, type JaqlPorts, jaqlFailure, prepareJaql, runJaql } from './jaql/run.ts';

/**
 * The JAQL query protocol (clients.md ## Sisense): queries, their CSV, cancelling them by
 * `queryGuid`, the SQL a query compiles to (EC-04), a pivot JAQL as xlsx (ENG-01) and usage events.
 */

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const Title = Type.Object({ title: Type.String({ minLength: 1, maxLength: 1000 }) });
const Cube = Type.Object({ elasticube: Type.String({ minLength: 1, maxLength: 1000 }) });
const Explain = Type.Object({
  rowcount: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
  uniquecount: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
});

/** Aborted when the client hangs up before the answer, so an abandoned query stops on the engine. */
function hangUpSignal(request: FastifyRequest, reply: FastifyReply): AbortSignal {
  const abort = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  request.raw.on('aborted', () => abort.abort());
  return abort.signal;
}

/** `jaql/csv` clients post a form field `data` holding the JAQL as JSON; JSON bodies work too. */
function csvBody(body: unknown): unknown {
  const data = (body as { data?: unknown } | undefined)?.data;
  if (typeof data !== 'string') return body;
  try {
    return JSON.parse(data);
  } catch {
    throw validationError('data', 'must be a JAQL object as JSON');
  }
}

/** `{"queries": "guid1;guid2"}` → the guids. */
function guidsOf(body: unknown): string[] {
  const queries = (body as { queries?: unknown } | undefined)?.queries;
  const list = Array.isArray(queries)
    ? queries
    : typeof queries === 'string'
      ? queries.split(';')
      : undefined;
  if (!list?.every((guid) => typeof guid === 'string'))
    throw validationError('queries', 'must list query guids separated by ";"');
  return list.map((guid: string) => guid.trim()).filter((guid) => guid !== '');
}

export function registerJaqlRoutes(api: App, services: JaqlPorts, config: SisenseFaceConfig): void {
  const running = createRunningQueries();
  const { maxRows } = config;

  /** The answer of a JAQL request, or the `{error: true, details}` of a query error. */
  const answer = async (request: FastifyRequest, reply: FastifyReply, title: string, body: unknown) => {
    const principal = principalOf(request);
    try {
      const prepared = await prepareJaql(services, principal, body, title, maxRows);
      return await runJaql(services, principal, prepared, {
        running,
        maxRows,
        signal: hangUpSignal(request, reply),
      });
    } catch (error) {
      if (isQueryError(error)) return jaqlFailure(error);
      throw error;
    }
  };

  api.post('/api/datasources/:title/jaql', { schema: { params: Title } }, (request, reply) =>
    answer(request, reply, request.params.title, request.body),
  );

  api.post('/api/datasources/:title/jaql/csv', { schema: { params: Title } }, async (request, reply) => {
    const result = await answer(request, reply, request.params.title, csvBody(request.body));
    if ('error' in result) return result;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="data.csv"')
      .send(csvLines(result.headers, result.values));
  });

  api.post(
    '/api/datasources/localhost/:title/cancel_queries',
    { schema: { params: Title } },
    async (request) => {
      const cancelled = running.cancel(principalOf(request), guidsOf(request.body));
      return { cancelled };
    },
  );

  api.post(
    '/api/v1/elasticubes/:elasticube/jaql/explain',
    { schema: { params: Cube, querystring: Explain } },
    async (request) => {
      const principal = principalOf(request);
      const body = request.body as { jaql?: unknown } | undefined;
      const jaql = typeof body?.jaql === 'object' && body.jaql !== null ? body.jaql : body;
      const { elasticube } = request.params;
      const cube = /^[0-9a-f]{24}$/i.test(elasticube)
        ? await elasticubeByOid(services, principal, elasticube, 'elasticube')
        : await findElasticube(services, principal, elasticube, 'elasticube');
      const plan = planJaql(cube, readJaqlRequest(jaql), maxRows);
      const model = await modelOfCube(services, principal, cube);
      const compiled = await services.query.compileIr(principal, model, plan.ir, { inlineIfAllowed: true });
      const rowCount =
        request.query.rowcount === 'true'
          ? (await services.query.runIr(principal, model, plan.ir, { maxRows, count: true })).totalRows
          : undefined;
      return {
        datasource: { title: cube.title, fullname: cube.fullname },
        dialect: compiled.dialect,
        sql: compiled.sql,
        params: compiled.params,
        ...(rowCount !== undefined && { rowCount }),
      };
    },
  );

  // The seed's sample posts to `/engine/excelExport`; its catalogue reads every path under `/api/v1`.
  const excelExport = async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = principalOf(request);
    const body = request.body as { query?: unknown } | undefined;
    const query = typeof body?.query === 'object' && body.query !== null ? body.query : body;
    const prepared = await prepareJaql(services, principal, query, undefined, maxRows, { pivot: true });
    const result = await executeJaql(services, principal, prepared, { running, maxRows });
    return reply
      .type(XLSX_TYPE)
      .header('content-disposition', 'attachment; filename="export.xlsx"')
      .send(await xlsxOf(prepared.cube.title, prepared.plan, result));
  };
  api.post('/engine/excelExport', excelExport);
  api.post('/api/v1/engine/excelExport', excelExport);

  api.post('/api/activities', async (request, reply) => {
    if (!Array.isArray(request.body)) throw validationError('body', 'must be an array of usage events');
    return reply.code(204).send();
  });
}
