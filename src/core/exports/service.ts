/**
 * The export service: validates an export request with the caller's rights, runs it as an
 * `export` job, keeps the file in the data dir and hands out signed, expiring download links.
 * It also renders schedule deliveries, through the same code path (produce.ts).
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { authorize } from '../auth/authorize.ts';
import { actingWithin, type CredentialScope, credentialScope } from '../auth/credential-scope.ts';
import type { Principal } from '../auth/principal.ts';
import type { ChartService, DashboardFilter, DashboardService } from '../content/index.ts';
import { conflict, isRosettaError, notFound, validationError } from '../errors.ts';
import type { SharedFiles } from '../files/index.ts';
import type { Job, JobContext, JobService } from '../jobs/index.ts';
import type { FilterRule, QueryService, VariableValues } from '../query/index.ts';
import {
  type AppliedFilter,
  type FilterSummary,
  requestedFilters,
  type ViewFilters,
  type ViewService,
  variablesOf,
  viewBody,
} from '../views/index.ts';
import { createFileStore, type StoredFile } from './files.ts';
import { type ProduceDeps, produceExport, widgetOf } from './produce.ts';
import { type ExportFormat, type ExportTarget, parseExportRequest, type RenderTarget } from './target.ts';

export const EXPORT_JOB_TYPE = 'export';

export interface ExportServiceOptions {
  query: Pick<QueryService, 'run' | 'compile' | 'compileIr' | 'runSaved' | 'compileSaved'>;
  views: Pick<ViewService, 'widgetRules'>;
  content: { dashboards: Pick<DashboardService, 'lookup'>; charts: Pick<ChartService, 'lookup'> };
  data: Pick<ProduceDeps, 'resolveModel' | 'engineFor'>;
  jobs: JobService;
  /** The principal of a job's owner, read fresh when the job runs; undefined when the user is gone. */
  owners: (organizationId: number, userId: number) => Promise<Principal | undefined>;
  /** Export files go to `<filesDir>/exports`, published to `sharedFiles` for the other nodes. */
  filesDir: string;
  sharedFiles?: SharedFiles;
  /** The server secret; download links are signed with a key derived from it. */
  secret: string;
  /** Row cap of a streamed export (configuration `maxQueryRows`). */
  maxRows: number;
  /**
   * Quote-prefix CSV/XLSX text cells a spreadsheet would run as formulas; default true
   * (configuration `exportFormulaEscape`).
   */
  escapeFormulas?: boolean;
  /** How long files and their links live; default 24. */
  retentionHours?: number;
  now?: () => Date;
  onError?: (error: unknown) => void;
}

/** The job's result: what GET /api/jobs/:id shows once the export has succeeded. */
export interface ExportResult {
  filename: string;
  contentType: string;
  size: number;
  rows: number;
  truncated: boolean;
  pages?: number;
  warnings: string[];
  /** The filters in force, dashboard defaults included, as the file prints them. */
  filters: FilterSummary[];
  /** Relative to the server's root; works without a bearer token until `expiresAt`. */
  downloadUrl: string;
  expiresAt: string;
}

export interface RenderedExport {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface ExportService {
  /** Checks the request with the caller's rights (400/403/404 now, not in the job) and queues it. */
  enqueue(principal: Principal, body: unknown): Promise<Job>;
  /** The file of a succeeded export job the caller may see; 409 while it runs or when it failed. */
  download(principal: Principal, jobRef: number | string): Promise<StoredFile>;
  /** The file a signed link names; the token is the credential. */
  downloadSigned(token: string): Promise<StoredFile>;
  /**
   * A target rendered to memory, as schedule deliveries need it (`DeliveryRenderer`); a
   * dashboard's variables take their defaults unless `variables` overrides them.
   */
  render(
    principal: Principal,
    target: RenderTarget,
    format: ExportFormat,
    filters: ViewFilters,
    signal: AbortSignal,
    variables?: Record<string, unknown>,
  ): Promise<RenderedExport>;
  /** Deletes files older than the retention; returns how many. */
  cleanup(): Promise<number>;
  /** Cleans up now and then hourly. */
  start(): Promise<void>;
  stop(): void;
}

interface ExportPayload {
  target: ExportTarget;
  format: ExportFormat;
  /** Rules on fields (a query's filters); older jobs kept dashboard filters here too. */
  rules: FilterRule[];
  /** The dashboard filters in force, and what the file's header prints (absent in older jobs). */
  applied?: AppliedFilter[];
  summaries?: FilterSummary[];
  /** As requested; resolved over the dashboard's defaults when the job runs. */
  variables?: unknown;
  scope: CredentialScope;
}

const HOUR_MS = 3_600_000;

/** A query an export runs, checked before it is queued; a dashboard's widget names its id. */
interface CheckedQuery {
  path: string;
  widgetId?: string;
  body: Record<string, unknown>;
}

/** Jobs queued before credential kinds existed said `user`: a session, or a data-API key. */
function currentScope(
  scope: CredentialScope | (Omit<CredentialScope, 'kind'> & { kind: 'user' }),
): CredentialScope {
  if (scope.kind !== 'user') return scope;
  return { ...scope, kind: scope.dataSourceIds === undefined ? 'session' : 'dataKey' };
}

export function createExportService(options: ExportServiceOptions): ExportService {
  const now = options.now ?? (() => new Date());
  const files = createFileStore({
    filesDir: options.filesDir,
    sharedFiles: options.sharedFiles,
    secret: options.secret,
    retentionMs: (options.retentionHours ?? 24) * HOUR_MS,
  });
  const deps: ProduceDeps = {
    query: options.query,
    views: options.views,
    dashboards: options.content.dashboards,
    charts: options.content.charts,
    resolveModel: options.data.resolveModel,
    engineFor: options.data.engineFor,
    maxRows: options.maxRows,
    escapeFormulas: options.escapeFormulas ?? true,
    now,
  };
  let timer: NodeJS.Timeout | undefined;

  /**
   * Resolves dashboards to integer ids, the filter definitions the values refer to and the
   * variable values (a 400 on `variables.<name>` now rather than in the job).
   */
  async function resolve(principal: Principal, target: ExportTarget, variables: unknown) {
    if ('query' in target)
      return {
        target,
        definitions: null,
        variables: variablesOf(principal, null, variables),
        queries: [{ path: 'query', body: target.query }] as CheckedQuery[],
      };
    if ('widget' in target) {
      const { dashboard, widget, query } = await widgetOf(deps, principal, target.widget);
      return {
        target: { widget: { dashboard: dashboard.id, widget: widget.id } },
        definitions: dashboard.filters as DashboardFilter[],
        variables: variablesOf(principal, dashboard, variables),
        queries: [{ path: 'widget', widgetId: widget.id, body: query }],
      };
    }
    const dashboard = await deps.dashboards.lookup(principal, target.dashboard);
    const queries = dashboard.widgets.flatMap((w) =>
      w.query
        ? [{ path: `dashboard widget "${w.id}"`, widgetId: w.id, body: w.query as Record<string, unknown> }]
        : [],
    );
    return {
      target: { dashboard: dashboard.id },
      definitions: dashboard.filters,
      variables: variablesOf(principal, dashboard, variables),
      queries,
    };
  }

  /**
   * Compiles every query with its variables alone, then with the filter rules too, so a bad
   * query, variable or filter is a 400 naming the right field before any job runs.
   */
  async function check(
    principal: Principal,
    queries: CheckedQuery[],
    filters: ViewFilters,
    variables: VariableValues,
  ) {
    for (const { path, widgetId, body } of queries) {
      // A dashboard's widget takes the filters that apply to it, as on screen; an ad-hoc query all.
      const saved = widgetId !== undefined;
      const applicable = saved
        ? await options.views.widgetRules(principal, { id: widgetId, query: body }, filters)
        : filters.rules;
      for (const withFilters of applicable.length > 0 ? [false, true] : [false]) {
        const full = viewBody(body, { rules: withFilters ? applicable : [], variables });
        try {
          await (saved
            ? options.query.compileSaved(principal, full)
            : options.query.compile(principal, full));
        } catch (error) {
          if (!isRosettaError(error) || error.code !== 'ERR_VALIDATION') throw error;
          const { problem, reason } = error;
          if (withFilters) throw validationError('filters', `${path}: ${problem}`, reason);
          if (path !== 'query') throw validationError(path, problem, reason);
          const inner = (error.field ?? '').replace(/^body\.?/, '');
          throw validationError(inner ? `query.${inner}` : 'query', problem, reason);
        }
      }
    }
  }

  async function runJob(job: Job, context: JobContext<ExportPayload>): Promise<ExportResult> {
    const { payload, signal } = context;
    const owner = job.ownerId === null ? undefined : await options.owners(job.organizationId, job.ownerId);
    if (!owner) throw new Error(`the user who asked for this export (${job.ownerId}) no longer exists`);
    const principal = actingWithin(owner, currentScope(payload.scope));
    const dir = await files.prepare(job.uuid);
    const filters = {
      applied: payload.applied ?? [],
      rules: payload.rules,
      summaries: payload.summaries ?? [],
    };
    const request = { target: payload.target, format: payload.format, filters, variables: payload.variables };
    const produced = await produceExport(deps, principal, request, dir, signal, (percent) => {
      void context.progress(percent);
    });
    const finished = now();
    await files.touch(job.uuid, finished);
    const link = files.sign(job.uuid, finished);
    const { path: _path, ...file } = produced;
    return {
      ...file,
      downloadUrl: `/api/exports/download?token=${encodeURIComponent(link.token)}`,
      expiresAt: link.expiresAt,
    };
  }

  options.jobs.register<ExportPayload, ExportResult>(EXPORT_JOB_TYPE, {
    concurrency: 2,
    timeoutMs: 10 * 60_000,
    // Rerunning an export is harmless: it starts from an empty directory of its own.
    onInterrupted: 'requeue',
    async run(job, context) {
      await context.progress(5);
      const result = await runJob(job, context);
      await context.log(`${result.filename}: ${result.rows} rows, ${result.size} bytes`);
      for (const warning of result.warnings) await context.log(warning, 'warn');
      return result;
    },
  });

  const cleanup = async () => files.cleanup(now());

  return {
    async enqueue(principal, body) {
      authorize(principal, 'dashboard.export');
      const request = parseExportRequest(body);
      const { target, definitions, variables, queries } = await resolve(
        principal,
        request.target,
        request.variables,
      );
      const { applied, rules, summaries } = requestedFilters(request.filters, definitions);
      await check(principal, queries, { applied, rules, summaries }, variables);
      const scope = credentialScope(principal);
      const payload: ExportPayload = { target, format: request.format, applied, rules, summaries, scope };
      if (request.variables !== undefined) payload.variables = request.variables;
      return options.jobs.enqueue(principal, EXPORT_JOB_TYPE, payload);
    },

    async download(principal, jobRef) {
      const job = await options.jobs.get(principal, jobRef);
      if (job.type !== EXPORT_JOB_TYPE) throw notFound('export job', jobRef);
      if (job.status === 'failure' || job.status === 'cancelled') {
        throw conflict(`export job ${job.id} ended with ${job.status}${job.error ? `: ${job.error}` : ''}`);
      }
      if (job.status !== 'success')
        throw conflict(`export job ${job.id} is ${job.status}; download it once it has succeeded`);
      return files.open(job.uuid);
    },

    downloadSigned: (token) => files.openSigned(token, now()),

    async render(principal, target, format, filters, signal, variables) {
      const key = randomUUID();
      try {
        const dir = await files.prepare(key);
        const produced = await produceExport(
          deps,
          principal,
          { target, format, filters, variables },
          dir,
          signal,
        );
        return {
          filename: produced.filename,
          contentType: produced.contentType,
          content: await readFile(produced.path),
        };
      } finally {
        await files.remove(key);
      }
    },

    cleanup,

    async start() {
      await cleanup();
      timer = setInterval(() => {
        cleanup().catch(options.onError ?? ((error) => console.error('exports cleanup:', error)));
      }, HOUR_MS);
      timer.unref();
    },

    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
