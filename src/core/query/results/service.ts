import { authorize } from '../../auth/authorize.ts';
import { actingWithin, type CredentialScope, credentialScope } from '../../auth/credential-scope.ts';
import type { Principal } from '../../auth/principal.ts';
import { notFound, RosettaError, validationError } from '../../errors.ts';
import type { SharedFiles } from '../../files/index.ts';
import type { Job, JobAccess, JobService, JobStatus } from '../../jobs/index.ts';
import type { QueryIr } from '../ir.ts';
import type { Model } from '../model.ts';
import { parseQueryBody } from '../parse.ts';
import type { QueryRunResult, QueryService } from '../service.ts';
import { createResultStore } from './store.ts';

/**
 * Query results that outlive the request: a query is submitted as a job (the jobs module runs
 * it, so it is persisted, counted in the jobs list, requeued after a crash and cancellable from
 * any process), its whole result — up to the row cap, `truncated` said — is kept on disk
 * (store.ts) and read back page by page, until it expires. The faces' job-style query APIs
 * (Lightdash v2 queries, Holistics jobs, Sisense cancel) map onto `submit`, `page` and `cancel`.
 */

export const QUERY_JOB_TYPE = 'query';
export const DEFAULT_PAGE_SIZE = 500;
export const MAX_PAGE_SIZE = 5000;
const PURGE_EVERY_MS = 5 * 60_000;

export const queryJobStatuses = ['queued', 'running', 'success', 'failure', 'cancelled'] as const;
export type QueryJobStatus = (typeof queryJobStatuses)[number];

/** What `run` answers, kept with the job: everything but the rows (on disk) and the per-request fields. */
type StoredAnswer = Omit<QueryRunResult, 'rows' | 'cached' | 'totalRows'>;

/** The job's result, as GET /api/jobs/:id shows it too. */
export type QueryJobResult = StoredAnswer & {
  /** Rows kept: the whole result, at most the row cap. */
  totalRows: number;
  /** After this the result is gone: submit the query again. */
  expiresAt: string;
};

export interface QueryJobState {
  /** The job's uuid. */
  id: string;
  status: QueryJobStatus;
  /** Why a failed or cancelled job ended. */
  error?: string;
}

/** A finished job's page: the answer of `run` with its rows cut to the page, and the paging. */
export type QueryJobPage = QueryJobState &
  Partial<QueryJobResult> & {
    rows?: QueryRunResult['rows'];
    /** What the submitter kept with the query (`SubmitOptions.annotation`). */
    annotation?: unknown;
    page?: number;
    pageSize?: number;
    totalPages?: number;
  };

export interface PageRequest {
  /** From 1; default 1. Digits as text are read as numbers (query strings). */
  page?: number | string;
  /** From 1 to MAX_PAGE_SIZE; default DEFAULT_PAGE_SIZE. */
  pageSize?: number | string;
}

export interface QueryJobService {
  /** Checks a native query body with the caller's rights now (400/403/404), then queues it. */
  submit(principal: Principal, body: unknown, options?: SubmitOptions): Promise<QueryJobState>;
  /** The same for IR a face's query mapper built on a model it resolved. */
  submitIr(principal: Principal, model: Model, ir: QueryIr, options?: SubmitOptions): Promise<QueryJobState>;
  /**
   * A developer's SQL run on a connection as a job (a SQL runner's asynchronous runs): `sql.run`
   * is checked now, the warehouse judges the statement when the job runs, as the SQL console does.
   */
  submitSql(principal: Principal, connectionId: number, input: SqlInput): Promise<QueryJobState>;
  /**
   * IR over what a developer's SQL returns (a SQL runner's pivot): the statement is typed into a
   * one-table model (`sqlModel`, `sql.run`) now and again when the job runs, and the IR is
   * checked on it now, so a bad statement or column is a 400 here rather than a failed job.
   */
  submitSqlIr(
    principal: Principal,
    connectionId: number,
    sql: string,
    ir: QueryIr,
    options?: SubmitOptions,
  ): Promise<QueryJobState>;
  /**
   * The job's status and, once it succeeded, one page of its result. Only its submitter and
   * admins see a job: to anyone else it does not exist (404).
   */
  page(principal: Principal, ref: number | string, request?: PageRequest): Promise<QueryJobPage>;
  /**
   * Stops a queued or running job (its statement is interrupted on the warehouse) and answers
   * its status; a cancelled job answers again as cancelled, a job that already succeeded or
   * failed is a 409.
   */
  cancel(principal: Principal, ref: number | string): Promise<QueryJobState>;
  /** Deletes expired results; returns how many. */
  purge(): Promise<number>;
  /** Purges now and then every few minutes. */
  start(): Promise<void>;
  stop(): void;
}

export interface SqlInput {
  sql: string;
  /** Rows kept at most (the console's default when absent). */
  limit?: number;
}

/** Runs a developer's SQL on a connection (the data module's `connections.runSql`). */
export type RunSql = (
  principal: Principal,
  connectionId: number,
  input: SqlInput,
  signal?: AbortSignal,
) => Promise<Pick<QueryRunResult, 'columns' | 'rows' | 'truncated' | 'durationMs'>>;

export interface SubmitOptions {
  /** Skip the cache lookup, as `run` does. */
  noCache?: boolean;
  /**
   * JSON the submitting face needs to read the result back as its first answer did (its field
   * definitions, which columns it shows), kept with the job and given back by `page`.
   */
  annotation?: unknown;
}

export interface QueryJobServiceOptions {
  jobs: JobService;
  query: Pick<QueryService, 'runIr' | 'compileIr'>;
  /** Finds the model a principal addresses (data source uuid or model name). */
  resolveModel(principal: Principal, source: string): Promise<Model>;
  /** Runs SQL jobs (`submitSql`); without it they are refused. */
  runSql?: RunSql;
  /** Types a SELECT as a one-table model (`submitSqlIr`); without it those jobs are refused. */
  sqlModel?: (principal: Principal, connectionId: number, sql: string) => Promise<Model>;
  /** The principal of a job's owner, read fresh when the job runs; undefined when the user is gone. */
  owners(organizationId: number, userId: number): Promise<Principal | undefined>;
  /** Results go to `<filesDir>/query-results`, published to `sharedFiles` for the other nodes. */
  filesDir: string;
  sharedFiles?: SharedFiles;
  /** How long a result is kept after its job finished (configuration `queryResultRetentionMinutes`). */
  retentionMs: number;
  /** The statement's own timeout (`queryTimeoutSeconds`); the job's is longer, to write the result. */
  queryTimeoutMs: number;
  now?: () => Date;
  onError?: (error: unknown) => void;
}

type QueryJobPayload =
  | {
      /** The model as the submitter addressed it, resolved again when the job runs. */
      source: string;
      ir: QueryIr;
      scope: CredentialScope;
      noCache?: boolean;
      annotation?: unknown;
    }
  | { connectionId: number; sql: SqlInput; scope: CredentialScope }
  | {
      connectionId: number;
      /** The statement the IR reads, typed again when the job runs (the warehouse may have changed). */
      sqlSource: string;
      ir: QueryIr;
      scope: CredentialScope;
      annotation?: unknown;
    };

/** Query jobs are followed with the right that runs them, which a data-API key carries. */
const access: JobAccess = { action: 'query.adhoc' };

const statusOf = (status: JobStatus): QueryJobStatus => (status === 'created' ? 'queued' : status);

const stateOf = (job: Job): QueryJobState => {
  const state: QueryJobState = { id: job.uuid, status: statusOf(job.status) };
  if (job.error !== null && (job.status === 'failure' || job.status === 'cancelled')) state.error = job.error;
  return state;
};

function count(value: number | string | undefined, field: string, fallback: number, max?: number): number {
  if (value === undefined) return fallback;
  const number = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || (max && number > max)) {
    const range = max ? `from 1 to ${max}` : 'from 1';
    throw validationError(field, `expected an integer ${range}, got ${JSON.stringify(value)}`);
  }
  return number;
}

export function createQueryJobService(options: QueryJobServiceOptions): QueryJobService {
  const { jobs } = options;
  const now = options.now ?? (() => new Date());
  const store = createResultStore({
    filesDir: options.filesDir,
    sharedFiles: options.sharedFiles,
    retentionMs: options.retentionMs,
  });
  let timer: NodeJS.Timeout | undefined;

  const expired = (job: Job, result: QueryJobResult) =>
    new RosettaError(
      'ERR_NOT_FOUND',
      `the result of query job ${job.uuid} expired at ${result.expiresAt} (results are kept ${Math.round(options.retentionMs / 60_000)} minutes): submit the query again`,
    );

  /** A query job the caller may follow; any other job, or another's, is not found. */
  async function visibleJob(principal: Principal, ref: number | string): Promise<Job> {
    const job = await jobs.get(principal, ref, access);
    if (job.type !== QUERY_JOB_TYPE) throw notFound('query job', ref);
    return job;
  }

  jobs.register<QueryJobPayload, QueryJobResult>(QUERY_JOB_TYPE, {
    concurrency: 4,
    timeoutMs: options.queryTimeoutMs + 5 * 60_000,
    // A query only reads, and a rerun rewrites its result from scratch.
    onInterrupted: 'requeue',
    async run(job, context) {
      const { payload } = context;
      const owner = job.ownerId === null ? undefined : await options.owners(job.organizationId, job.ownerId);
      if (!owner) throw new Error(`the user who submitted this query (${job.ownerId}) no longer exists`);
      const principal = actingWithin(owner, payload.scope);
      const { rows, ...stored } = await answerOf(principal, payload, context.signal);
      const finished = now();
      await store.write(job.uuid, rows, finished);
      await context.log(`${rows.length} rows kept${stored.truncated ? ', cut at the row cap' : ''}`);
      return {
        ...stored,
        totalRows: rows.length,
        expiresAt: new Date(finished.getTime() + options.retentionMs).toISOString(),
      };
    },
  });

  async function answerOf(
    principal: Principal,
    payload: QueryJobPayload,
    signal: AbortSignal,
  ): Promise<StoredAnswer & Pick<QueryRunResult, 'rows'>> {
    if ('sql' in payload) {
      if (!options.runSql) throw new Error('SQL jobs are not wired');
      return options.runSql(principal, payload.connectionId, payload.sql, signal);
    }
    const fromSql = 'sqlSource' in payload;
    if (fromSql && !options.sqlModel) throw new Error('SQL model jobs are not wired');
    const model = fromSql
      ? await options.sqlModel!(principal, payload.connectionId, payload.sqlSource)
      : await options.resolveModel(principal, payload.source);
    // A developer's SQL reads the warehouse as it is now, as `submitSql` does.
    const answer = await options.query.runIr(principal, model, payload.ir, {
      signal,
      noCache: fromSql || payload.noCache,
    });
    const { cached: _cached, totalRows: _counted, ...kept } = answer;
    return kept;
  }

  const submitIr: QueryJobService['submitIr'] = async (principal, model, ir, submitOptions = {}) => {
    // Authorized and compiled now, so a bad query is a 400 here rather than a failed job.
    await options.query.compileIr(principal, model, ir);
    const payload: QueryJobPayload = { source: model.name, ir, scope: credentialScope(principal) };
    if (submitOptions.noCache) payload.noCache = true;
    if (submitOptions.annotation !== undefined) payload.annotation = submitOptions.annotation;
    return stateOf(await jobs.enqueue(principal, QUERY_JOB_TYPE, payload));
  };

  const purge = () => store.purge(now());

  return {
    async submit(principal, body, submitOptions) {
      const { source, ir } = parseQueryBody(body);
      return submitIr(principal, await options.resolveModel(principal, source), ir, submitOptions);
    },

    submitIr,

    async submitSql(principal, connectionId, input) {
      authorize(principal, 'sql.run');
      if (!options.runSql) throw validationError('sql', 'SQL jobs are not available on this server');
      const payload: QueryJobPayload = { connectionId, sql: input, scope: credentialScope(principal) };
      return stateOf(await jobs.enqueue(principal, QUERY_JOB_TYPE, payload));
    },

    async submitSqlIr(principal, connectionId, sql, ir, submitOptions = {}) {
      authorize(principal, 'sql.run');
      if (!options.sqlModel) throw validationError('sql', 'SQL jobs are not available on this server');
      const model = await options.sqlModel(principal, connectionId, sql);
      await options.query.compileIr(principal, model, ir);
      const payload: QueryJobPayload = {
        connectionId,
        sqlSource: sql,
        ir,
        scope: credentialScope(principal),
        ...(submitOptions.annotation !== undefined && { annotation: submitOptions.annotation }),
      };
      return stateOf(await jobs.enqueue(principal, QUERY_JOB_TYPE, payload));
    },

    async page(principal, ref, request = {}) {
      const pageSize = count(request.pageSize, 'pageSize', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
      const page = count(request.page, 'page', 1);
      const job = await visibleJob(principal, ref);
      const state = stateOf(job);
      if (state.status !== 'success') return state;
      const result = job.result as QueryJobResult;
      if (Date.parse(result.expiresAt) <= now().getTime()) throw expired(job, result);
      const totalPages = Math.ceil(result.totalRows / pageSize);
      if (page > Math.max(totalPages, 1)) {
        throw validationError(
          'page',
          `past the last page: ${result.totalRows} rows make ${totalPages} pages of ${pageSize}`,
        );
      }
      const rows = await store.read(job.uuid, (page - 1) * pageSize, pageSize);
      if (!rows) throw expired(job, result);
      const payload = job.payload as QueryJobPayload;
      const annotation = 'annotation' in payload ? payload.annotation : undefined;
      return {
        ...state,
        ...result,
        rows,
        page,
        pageSize,
        totalPages,
        ...(annotation !== undefined && { annotation }),
      };
    },

    async cancel(principal, ref) {
      const job = await visibleJob(principal, ref);
      return stateOf(await jobs.cancel(principal, job.id, access));
    },

    purge,

    async start() {
      await purge();
      timer = setInterval(() => {
        purge().catch(options.onError ?? ((error) => console.error('query results purge:', error)));
      }, PURGE_EVERY_MS);
      timer.unref();
    },

    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
