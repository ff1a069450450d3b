import type { FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import type { Principal } from '../../../core/auth/index.ts';
import type { DataSource } from '../../../core/data/index.ts';
import { isRosettaError } from '../../../core/errors.ts';
import type { JsonScalar } from '../../../engines/types.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import { errorOf } from './envelope.ts';
import { findJoin, joinColumns } from './joins.ts';
import { planPipeline } from './pipeline.ts';
import { columnTitle, type SerenyticsColumn } from './source-json.ts';

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

/** The pipeline part of a formatted_data request, also taken by the data-api. */
export interface PipelineRequest {
  data_processing_pipeline?: unknown[];
  order?: string;
}

/** What a pipeline reads: a data source, or a join (a model over sources, fields `<uuid>.<column>`). */
export type PipelineTarget = Pick<DataSource, 'uuid' | 'columns' | 'formulas'>;

/** The join or data source a uuid names, as a pipeline reads it (joins have no formulas yet). */
export async function pipelineTarget(
  services: Pick<Services, 'data'>,
  principal: Principal,
  uuid: string,
): Promise<PipelineTarget & { name: string }> {
  const join = await findJoin(services, principal, uuid);
  return join
    ? { uuid: join.uuid, name: join.name, columns: joinColumns(join), formulas: [] }
    : await services.data.sources.get(principal, uuid);
}

/**
 * Runs a one-stage pipeline on a source as the principal: the columns in the caller's names and
 * the rows (or the columns' values, with `order: column_by_column`), at most `maxRows` of them.
 */
export async function queryPipeline(
  services: Pick<Services, 'data' | 'query'>,
  principal: Principal,
  source: PipelineTarget,
  request: PipelineRequest,
  maxRows: number,
): Promise<{ columns_titles: SerenyticsColumn[]; data: JsonScalar[][] }> {
  const { ir, labels } = planPipeline(
    request.data_processing_pipeline,
    source.columns,
    source.formulas,
    maxRows,
  );
  const model = await services.data.models.resolveModel(principal, source.uuid);
  const result = await services.query.runIr(principal, model, ir);
  const at = labels.map((_, i) => result.columns.findIndex((c) => c.name === `c${i}`));
  const columns_titles = labels.map((label, i) => columnTitle(label, result.columns[at[i]].type));
  const rows = result.rows.map((row) => at.map((index) => row[index] as JsonScalar));
  const data = request.order === 'column_by_column' ? at.map((_, i) => rows.map((row) => row[i])) : rows;
  return { columns_titles, data };
}

/**
 * `POST /api/formatted_data/{uuid}` and its alias under `/api/data_source/`: a source's headers,
 * or the answer of a one-stage pipeline, capped at `maxRows` (the vendor documents 20 000).
 */
export function registerFormattedDataRoutes(
  app: App,
  services: Pick<Services, 'data' | 'query'>,
  limits: { maxRows: number },
): void {
  const handler = async (request: FastifyRequest<{ Params: { uuid: string }; Body: Body | undefined }>) => {
    const principal = principalOf(request);
    const body = request.body ?? {};
    const source = await pipelineTarget(services, principal, request.params.uuid);
    try {
      if (body.only_headers === true || body.only_headers === 'true') {
        return { status: 'ok', columns_titles: source.columns.map((c) => columnTitle(c.name, c.type)) };
      }
      if (source.columns.length === 0) return errorOf('Storage source is empty');
      return { status: 'ok', ...(await queryPipeline(services, principal, source, body, limits.maxRows)) };
    } catch (error) {
      if (!isRosettaError(error) || accessCodes.has(error.code)) throw error;
      return errorOf(error.message);
    }
  };
  const schema = { params: Type.Object({ uuid: Type.String() }), body: Body };
  app.post('/formatted_data/:uuid', { schema }, handler);
  app.post('/data_source/formatted_data/:uuid', { schema }, handler);
}
