import type { Principal } from '../../../core/auth/index.ts';
import { RosettaError, validationError } from '../../../core/errors.ts';
import type { Job } from '../../../core/jobs/index.ts';
import { MAX_PAGE_SIZE, QUERY_JOB_TYPE, type QueryJobPage } from '../../../core/query/index.ts';
import type { JsonScalar } from '../../../engines/types.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import type { ShownColumn } from './dataset-query.ts';
import { datasetQueryOf, jobSourceOf } from './job-sources.ts';
import { jobJson } from './jobs-view.ts';
import { holisticsRoute } from './routes.ts';

/**
 * Jobs (`/jobs`): every core job the caller may follow (their own; an admin's, all of the
 * organization's, as the core decides), its logs, and the result of a query job
 * (`JobResult`: `WithData` with the rows as text, `WithFailureData`, `EmptyData`).
 */

export type JobPorts = Pick<Services, 'jobs' | 'queryJobs'>;

/** "Non-existent IDs will be ignored. Limit: 100". */
const MAX_LISTED = 100;

type SourceQuery = { include_source?: boolean };
type IdParams = { Params: { id: number } };

const jobAnswer = (job: Job, query: SourceQuery) =>
  jobJson(job, query.include_source ? jobSourceOf(job) : null);

async function visibleJobs(ports: JobPorts, principal: Principal, ids: number[]): Promise<Job[]> {
  const found = await Promise.all(
    [...new Set(ids)].map((id) =>
      ports.jobs.get(principal, id).catch((error: unknown) => {
        if (error instanceof RosettaError && error.code === 'ERR_NOT_FOUND') return undefined;
        throw error;
      }),
    ),
  );
  return found.filter((job): job is Job => job !== undefined);
}

/**
 * `JobLog` entries: the job's own log lines between what its record says of it (created,
 * started, ended, with the error of a failure), in that order: a line written as the job ends may
 * carry the same instant as its end. Warnings read as INFO: Holistics has two levels.
 */
async function jobLogs(ports: JobPorts, principal: Principal, job: Job) {
  const lines = await ports.jobs.logs(principal, job.id);
  const entry = (timestamp: string, message: string, error = false) => ({
    level: error ? ('ERROR' as const) : ('INFO' as const),
    message,
    timestamp: new Date(timestamp).toISOString(),
  });
  const ending =
    job.finishedAt === null
      ? []
      : job.status === 'success'
        ? [entry(job.finishedAt, 'Job finished successfully')]
        : job.status === 'cancelled'
          ? [entry(job.finishedAt, 'Job cancelled')]
          : [entry(job.finishedAt, `Job failed: ${job.error ?? 'unknown error'}`, true)];
  return [
    entry(job.createdAt, `Job created (${job.type})`),
    ...(job.startedAt === null ? [] : [entry(job.startedAt, 'Job started')]),
    ...lines.map((line) => entry(line.time, line.message, line.level === 'error')),
    ...ending,
  ];
}

/** `Data.values` cells are text (the `Data` schema): numbers and booleans as written, NULL as "". */
const cellText = (value: JsonScalar | undefined): string =>
  value === null || value === undefined ? '' : String(value);

/** The rows of a finished query job: the page its query asked for, else the whole result. */
async function resultRows(ports: JobPorts, principal: Principal, job: Job, page?: number, pageSize?: number) {
  if (pageSize !== undefined && pageSize > 0) {
    const answer = await ports.queryJobs.page(principal, job.id, { page: page ?? 1, pageSize });
    return { answer, rows: answer.rows ?? [], meta: { page: page ?? 1, page_size: pageSize } };
  }
  let answer: QueryJobPage | undefined;
  const rows: JsonScalar[][] = [];
  for (let at = 1, pages = 1; at <= pages; at++) {
    answer = await ports.queryJobs.page(principal, job.id, { page: at, pageSize: MAX_PAGE_SIZE });
    pages = answer.totalPages ?? 1;
    rows.push(...(answer.rows ?? []));
  }
  return { answer: answer as QueryJobPage, rows, meta: { page: 1, page_size: pageSize ?? -1 } };
}

async function queryResultData(ports: JobPorts, principal: Principal, job: Job) {
  const query = datasetQueryOf(job);
  const { answer, rows, meta } = await resultRows(ports, principal, job, query?.page, query?.pageSize);
  const resultColumns = answer.columns ?? [];
  const shown: ShownColumn[] =
    query?.columns ?? resultColumns.map((column) => ({ name: column.name, label: column.name }));
  const at = shown.map((column) => resultColumns.findIndex((result) => result.name === column.name));
  return {
    values: rows.map((row) => at.map((i) => cellText(i < 0 ? null : row[i]))),
    meta: { ...meta, num_rows: answer.totalRows ?? rows.length },
    fields: shown.map((column) => column.label),
  };
}

/** Holistics' error class names of a failed job's code (`WithFailureData.error`). */
const failureNames: Record<string, string> = {
  ERR_VALIDATION: 'InvalidParameterError',
  ERR_FORBIDDEN: 'PermissionDeniedError',
  ERR_NOT_FOUND: 'RecordNotFound',
  ERR_TIMEOUT: 'QueryTimeoutError',
  ERR_ENGINE: 'QueryError',
};

async function jobResult(ports: JobPorts, principal: Principal, job: Job) {
  if (job.status === 'failure')
    return { status: 'failure' as const, error: failureNames[job.errorDetail?.code ?? ''] ?? 'JobError' };
  if (job.status !== 'success') return { status: job.status, error: job.error, result: null };
  if (job.type !== QUERY_JOB_TYPE)
    throw validationError(
      'id',
      `job ${job.id} is a ${job.type} job: it has no data result (an export is downloaded from /exports/download)`,
    );
  return {
    status: 'success' as const,
    error: null,
    result: { type: 'DataModel.execute_model_query', data: await queryResultData(ports, principal, job) },
  };
}

export function registerJobRoutes(api: App, ports: JobPorts): void {
  holisticsRoute<{ Querystring: SourceQuery & { ids: number[] } }>(api, 'Jobs_List', async (request) => {
    const { ids } = request.query;
    if (ids.length > MAX_LISTED) throw validationError('ids', `at most ${MAX_LISTED} ids at once`);
    const jobs = await visibleJobs(ports, principalOf(request), ids);
    return { jobs: jobs.map((job) => jobAnswer(job, request.query)) };
  });

  holisticsRoute<IdParams & { Querystring: SourceQuery }>(api, 'Jobs_Get', async (request) => {
    const job = await ports.jobs.get(principalOf(request), request.params.id);
    return { job: jobAnswer(job, request.query) };
  });

  holisticsRoute<IdParams>(api, 'Jobs_GetLogs', async (request) => {
    const principal = principalOf(request);
    const job = await ports.jobs.get(principal, request.params.id);
    return { job_logs: await jobLogs(ports, principal, job) };
  });

  holisticsRoute<IdParams>(api, 'Jobs_GetResult', async (request) => {
    const principal = principalOf(request);
    return jobResult(ports, principal, await ports.jobs.get(principal, request.params.id));
  });
}
