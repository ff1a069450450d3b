import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { validationError } from '../../../core/errors.ts';
import { writeCsv } from '../../../core/exports/index.ts';
import type { ColumnType, JsonScalar } from '../../../engines/types.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import { pipelineTarget, queryPipeline } from './formatted-data.ts';
import { joinJson, listJoins } from './joins.ts';
import { columnTitle, type SerenyticsColumn, sourceJson } from './source-json.ts';

const Uuid = Type.Object({ uuid: Type.String({ maxLength: 200 }) });

/** The formatted_data options (one-stage pipeline, order) plus the output `format`. */
const QueryDataBody = Type.Object(
  {
    format: Type.Optional(Type.String()),
    order: Type.Optional(Type.String()),
    data_processing_pipeline: Type.Optional(Type.Array(Type.Unknown())),
  },
  { additionalProperties: false },
);
type QueryDataBody = Static<typeof QueryDataBody>;

/** The answer's Serenytics column types back to Rosetta's: the CSV writer escapes text columns only. */
const resultTypes: Record<string, ColumnType> = {
  str: 'string',
  int: 'integer',
  float: 'number',
  bool: 'boolean',
  datetime: 'datetime',
};

async function csvOf(
  titles: SerenyticsColumn[],
  rows: JsonScalar[][],
  escapeFormulas: boolean,
): Promise<string> {
  async function* batches() {
    yield rows;
  }
  const out = new PassThrough();
  const columns = titles.map(({ name, type }) => ({ name, type: resultTypes[type] ?? 'string' }));
  const [csv] = await Promise.all([
    text(out),
    writeCsv({ columns, batches: batches() }, out, { escapeFormulas }),
  ]);
  return csv;
}

/**
 * The Serenytics data-api at `/serenytics/data-api`: read-only access to data sources and joins
 * for any API key. A data-API key (one restricted to some sources) lists and queries only those,
 * and the joins of only those: the core answers 404 for the others. `query-data` takes formatted_data's pipeline and answers CSV
 * (the default) or JSON `{"columns": [names], "data": [rows]}`, at most `maxRows` rows.
 */
export function registerDataApiRoutes(
  app: App,
  services: Pick<Services, 'data' | 'query'>,
  limits: { maxRows: number; escapeFormulas: boolean },
): void {
  const { sources } = services.data;

  app.get('/datasources_list', async (request) => {
    const principal = principalOf(request);
    const joins = await listJoins(services, principal);
    // Folders are not part of this listing.
    const all = [
      ...(await sources.list(principal)).map((source) => sourceJson(source)),
      ...joins.map((join) => joinJson(join, null)),
    ];
    return all.map(({ uuid, name, type, created_at, updated_at }) => ({
      uuid,
      name,
      type,
      created_at,
      updated_at,
    }));
  });

  app.post('/query-model/:uuid', { schema: { params: Uuid } }, async (request) => {
    const source = await pipelineTarget(services, principalOf(request), request.params.uuid);
    return {
      uuid: source.uuid,
      name: source.name,
      columns: source.columns.map((column) => columnTitle(column.name, column.type)),
    };
  });

  app.post(
    '/query-data/:uuid',
    {
      schema: { params: Uuid, body: QueryDataBody },
      // No body at all is the plainest query: every column, every row (up to the cap).
      preValidation: async (request: FastifyRequest) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const body: QueryDataBody = request.body;
      const format = body.format ?? 'csv';
      if (format !== 'csv' && format !== 'json') throw validationError('format', 'must be "csv" or "json"');
      if (body.order !== undefined && body.order !== 'row_by_row' && body.order !== 'column_by_column')
        throw validationError('order', 'must be "row_by_row" or "column_by_column"');
      if (format === 'csv' && body.order === 'column_by_column')
        throw validationError('order', 'column_by_column needs "format": "json"');
      const source = await pipelineTarget(services, principal, request.params.uuid);
      // A storage source nobody pushed rows to yet has no columns, hence nothing to select.
      const answer =
        source.columns.length === 0
          ? { columns_titles: [], data: [] }
          : await queryPipeline(services, principal, source, body, limits.maxRows);
      const columns = answer.columns_titles.map((column) => column.name);
      if (format === 'json') return { columns, data: answer.data };
      const csv = await csvOf(answer.columns_titles, answer.data, limits.escapeFormulas);
      return reply.type('text/csv; charset=utf-8').send(csv);
    },
  );
}
