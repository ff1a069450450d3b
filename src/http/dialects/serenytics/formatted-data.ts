import type { FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import type { Services } from '../../../app.ts';
import { isRosettaError } from '../../../core/errors.ts';
import type { JsonScalar } from '../../../engines/types.ts';
import { type App, principalOf } from '../../server.ts';
import { errorOf } from './envelope.ts';
import { planPipeline } from './pipeline.ts';
import { columnTitle } from './source-json.ts';

const Body = Type.Object(
  {
    only_headers: Type.Optional(Type.Union([Type.Boolean(), Type.String()])),
    order: Type.Optional(Type.String()),
    data_processing_pipeline: Type.Optional(Type.Array(Type.Unknown())),
  },
  { additionalProperties: true },
);
type Body = Static<typeof Body>;

/** Access problems keep their status; every other failure is a 200 with `status: "error"`. */
const accessCodes = new Set(['ERR_UNAUTHENTICATED', 'ERR_FORBIDDEN', 'ERR_NOT_FOUND']);

/**
 * `POST /api/formatted_data/{uuid}` and its alias under `/api/data_source/`: a source's headers,
 * or the answer of a one-stage pipeline, capped at 20 000 rows as the vendor documents.
 */
export function registerFormattedDataRoutes(app: App, services: Services): void {
  const handler = async (request: FastifyRequest<{ Params: { uuid: string }; Body: Body | undefined }>) => {
    const principal = principalOf(request);
    const body = request.body ?? {};
    const source = await services.data.sources.get(principal, request.params.uuid);
    try {
      if (body.only_headers === true || body.only_headers === 'true') {
        return { status: 'ok', columns_titles: source.columns.map((c) => columnTitle(c.name, c.type)) };
      }
      if (source.columns.length === 0) return errorOf('Storage source is empty');
      const { ir, labels } = planPipeline(body.data_processing_pipeline, source.columns, source.formulas);
      const model = await services.data.models.resolveModel(principal, source.uuid);
      const result = await services.query.runIr(principal, model, ir);
      const at = labels.map((_, i) => result.columns.findIndex((c) => c.name === `c${i}`));
      const columns_titles = labels.map((label, i) => columnTitle(label, result.columns[at[i]].type));
      const rows = result.rows.map((row) => at.map((index) => row[index] as JsonScalar));
      const data = body.order === 'column_by_column' ? at.map((_, i) => rows.map((row) => row[i])) : rows;
      return { status: 'ok', columns_titles, data };
    } catch (error) {
      if (!isRosettaError(error) || accessCodes.has(error.code)) throw error;
      return errorOf(error.message);
    }
  };
  const schema = { params: Type.Object({ uuid: Type.String() }), body: Body };
  app.post('/formatted_data/:uuid', { schema }, handler);
  app.post('/data_source/formatted_data/:uuid', { schema }, handler);
}
