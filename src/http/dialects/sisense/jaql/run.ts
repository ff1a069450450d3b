import type { Principal } from '../../../../core/auth/index.ts';
import { isRosettaError } from '../../../../core/errors.ts';
import type { QueryRunResult } from '../../../../core/query/index.ts';
import type { RunningQueries } from '../../../../core/query/running-queries.ts';
import type { Services } from '../../../../services.ts';
import { type Elasticube, findElasticube, modelOfCube } from '../elasticubes.ts';
import { type JaqlAnswer, shownRows, titleOf } from './answer.ts';
import { type JaqlPlan, planJaql } from './plan.ts';
import { datasourceTitle, type JaqlRequest, readJaqlRequest } from './request.ts';

/**
 * Runs a JAQL request on the query core as the caller (row policies apply there) and shapes the
 * answer. A query error a JAQL client must survive (a bad item, an unknown field or data source,
 * a cancelled or failed query) is a `JaqlFailure`, which the routes answer as HTTP 200
 * `{error: true, details}`; a bad token or a forbidden action stays the face's 401 / 403.
 */

export type JaqlPorts = Pick<Services, 'data' | 'externalIds' | 'query'>;

export interface JaqlRun {
  cube: Elasticube;
  plan: JaqlPlan;
  request: JaqlRequest;
}

/** The errors that are answers to a bad or failed query rather than to a bad credential. */
const queryErrors = new Set([
  'ERR_VALIDATION',
  'ERR_NOT_FOUND',
  'ERR_LIMIT',
  'ERR_ENGINE',
  'ERR_TIMEOUT',
  'ERR_CANCELLED',
]);

export const isQueryError = (error: unknown): boolean => isRosettaError(error) && queryErrors.has(error.code);

/** The JAQL error answer clients expect. */
export const jaqlFailure = (error: unknown) => ({
  error: true,
  details: error instanceof Error ? error.message : String(error),
});

/** The request read and planned against the cube the URL (or else the body) names. */
export async function prepareJaql(
  ports: JaqlPorts,
  principal: Principal,
  body: unknown,
  title: string | undefined,
  maxRows: number,
  options: { pivot?: boolean } = {},
): Promise<JaqlRun> {
  const request = readJaqlRequest(body);
  const cube = await findElasticube(ports, principal, title ?? datasourceTitle(request));
  return { cube, request, plan: planJaql(cube, request, maxRows, options) };
}

export interface RunContext {
  running: RunningQueries;
  maxRows: number;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
}

/** Runs the planned query (cancellable by its `queryGuid`): the query core's result. */
export async function executeJaql(
  ports: JaqlPorts,
  principal: Principal,
  { cube, plan, request }: JaqlRun,
  context: RunContext,
): Promise<QueryRunResult> {
  const model = await modelOfCube(ports, principal, cube);
  const execute = (signal?: AbortSignal) =>
    ports.query.runIr(principal, model, plan.ir, { maxRows: context.maxRows, ...(signal && { signal }) });
  const guid = request.queryGuid;
  if (!guid) return execute(context.signal);
  return context.running.run(principal, guid, (signal) =>
    execute(context.signal ? AbortSignal.any([signal, context.signal]) : signal),
  );
}

/** The JAQL answer of a prepared request. */
export async function runJaql(
  ports: JaqlPorts,
  principal: Principal,
  run: JaqlRun,
  context: RunContext,
): Promise<JaqlAnswer> {
  const result = await executeJaql(ports, principal, run, context);
  const { plan, cube } = run;
  return {
    headers: plan.columns.map(titleOf),
    metadata: plan.columns.map((column) => column.item),
    datasource: { title: cube.title, fullname: cube.fullname },
    values: shownRows(plan.columns, result),
  };
}
