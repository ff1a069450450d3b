import { nowIso } from '../../store/schema.ts';
import { authorize } from '../auth/authorize.ts';
import { actingWithin, type CredentialScope, credentialScope } from '../auth/credential-scope.ts';
import type { Principal } from '../auth/principal.ts';
import { isRosettaError } from '../errors.ts';
import type { Job, JobService } from '../jobs/index.ts';
import type { ChartService } from './charts.ts';
import type { DashboardService } from './dashboards.ts';
import type { Db } from './repo.ts';

export const CONTENT_CHECK_JOB_TYPE = 'content.check';

/** What a check found wrong: a field the model no longer has, a missing model or a missing chart. */
export type ProblemKind = 'dimension' | 'metric' | 'filter' | 'sorting' | 'model' | 'chart' | 'query';

export interface ContentFinding {
  id: number;
  checkUuid: string;
  projectId: number;
  itemKind: 'chart' | 'dashboard';
  itemId: number;
  itemUuid: string;
  itemName: string;
  folderUuid: string | null;
  problemKind: ProblemKind;
  fieldName: string | null;
  message: string;
  createdAt: string;
}

export interface ContentCheckDeps {
  db: Db;
  jobs: Pick<JobService, 'register' | 'enqueue' | 'list'>;
  charts: Pick<ChartService, 'list' | 'lookup'>;
  dashboards: Pick<DashboardService, 'list' | 'lookup'>;
  /** Checks a stored query against the current models without running it (query.compileSaved). */
  checkQuery(principal: Principal, body: unknown): Promise<unknown>;
  owners(organizationId: number, userId: number): Promise<Principal | undefined>;
}

interface CheckPayload {
  projectId: number;
  scope: CredentialScope;
}

type Finding = Pick<ContentFinding, 'problemKind' | 'fieldName' | 'message'>;

/** The kind of problem an invalid query has, read off the path of the field the query names. */
function problemOf(field: string | undefined, message: string, reason: string | undefined): Finding {
  const path = (field ?? '').replace(/^body\.?/, '');
  const head = /^[a-z]+/i.exec(path)?.[0] ?? '';
  const kinds: Record<string, ProblemKind> = {
    dimensions: 'dimension',
    metrics: 'metric',
    filters: 'filter',
    sorts: 'sorting',
    source: 'model',
  };
  const named = /"([^"]+)"/.exec(message)?.[1] ?? null;
  const kind = kinds[head] ?? (reason === 'query.unknown_field' ? 'dimension' : 'query');
  return { problemKind: kind, fieldName: named, message };
}

/** The errors that say the content is broken; any other (a timeout, a fault) fails the check instead. */
const contentErrors = new Set(['ERR_VALIDATION', 'ERR_NOT_FOUND', 'ERR_ENGINE']);

/** Why a stored query no longer compiles, or nothing when it does. */
async function queryProblem(deps: ContentCheckDeps, principal: Principal, query: unknown) {
  try {
    await deps.checkQuery(principal, query);
    return undefined;
  } catch (error) {
    if (!isRosettaError(error) || !contentErrors.has(error.code)) throw error;
    if (error.code === 'ERR_NOT_FOUND')
      return { problemKind: 'model' as const, fieldName: null, message: error.message };
    if (error.code === 'ERR_ENGINE')
      return { problemKind: 'query' as const, fieldName: null, message: error.message };
    return problemOf(error.field, error.problem ?? error.message, error.reason);
  }
}

/**
 * Content health: a job that checks every chart and dashboard of a project against the current
 * models (fields they name, models they read, charts their tiles show) and keeps what it found,
 * read back per check. Developers run it, as they change the models content depends on.
 */
export function createContentChecks(deps: ContentCheckDeps) {
  const { db } = deps;

  async function findingsOf(
    principal: Principal,
    projectId: number,
  ): Promise<
    Array<
      Finding & {
        kind: 'chart' | 'dashboard';
        id: number;
        uuid: string;
        name: string;
        folderUuid: string | null;
      }
    >
  > {
    const found = [];
    for (const summary of await deps.charts.list(principal, { projectId })) {
      const chart = await deps.charts.lookup(principal, summary.id);
      const problem = await queryProblem(deps, principal, chart.query);
      if (problem) found.push({ kind: 'chart' as const, ...summary, ...problem });
    }
    for (const summary of await deps.dashboards.list(principal, { projectId })) {
      const dashboard = await deps.dashboards.lookup(principal, summary.id);
      for (const widget of dashboard.widgets) {
        let problem: Finding | undefined;
        if (widget.chartId !== undefined) {
          const chart = await deps.charts.lookup(principal, widget.chartId).catch(() => undefined);
          if (!chart)
            problem = {
              problemKind: 'chart',
              fieldName: null,
              message: `the tile "${widget.title}" shows a chart that no longer exists`,
            };
        } else if (widget.query) problem = await queryProblem(deps, principal, widget.query);
        if (problem) found.push({ kind: 'dashboard' as const, ...summary, ...problem });
      }
    }
    return found;
  }

  /** The caller's latest finished check of the project (one that found nothing included). */
  async function latestCheck(principal: Principal, projectId: number): Promise<string | undefined> {
    const { items } = await deps.jobs.list(principal, { type: CONTENT_CHECK_JOB_TYPE, status: 'success' });
    return items.find((job) => (job.payload as CheckPayload).projectId === projectId)?.uuid;
  }

  deps.jobs.register<CheckPayload, { findings: number }>(CONTENT_CHECK_JOB_TYPE, {
    concurrency: 1,
    timeoutMs: 10 * 60_000,
    // A check only reads content and replaces its own findings: running it again is harmless.
    onInterrupted: 'requeue',
    async run(job, context) {
      const owner = job.ownerId === null ? undefined : await deps.owners(job.organizationId, job.ownerId);
      if (!owner) throw new Error(`the user who asked for this check (${job.ownerId}) no longer exists`);
      const principal = actingWithin(owner, context.payload.scope);
      const { projectId } = context.payload;
      const found = await findingsOf(principal, projectId);
      const createdAt = nowIso();
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('content_findings').where('check_uuid', '=', job.uuid).execute();
        for (const each of found)
          await trx
            .insertInto('content_findings')
            .values({
              organization_id: job.organizationId,
              project_id: projectId,
              check_uuid: job.uuid,
              item_kind: each.kind,
              item_id: each.id,
              item_uuid: each.uuid,
              item_name: each.name,
              folder_uuid: each.folderUuid,
              problem_kind: each.problemKind,
              field_name: each.fieldName,
              message: each.message,
              created_at: createdAt,
            })
            .execute();
      });
      await context.log(`${found.length} problems found`);
      return { findings: found.length };
    },
  });

  return {
    /** Queues a check of the project's content; its job's uuid names its findings. */
    async start(principal: Principal, projectId: number): Promise<Job> {
      authorize(principal, 'model.manage');
      const payload: CheckPayload = { projectId, scope: credentialScope(principal) };
      return deps.jobs.enqueue(principal, CONTENT_CHECK_JOB_TYPE, payload);
    },

    /** The findings of one check of the project, or of its latest finished one. */
    async findings(principal: Principal, projectId: number, checkUuid?: string): Promise<ContentFinding[]> {
      authorize(principal, 'model.manage');
      const check = checkUuid ?? (await latestCheck(principal, projectId));
      if (check === undefined) return [];
      const rows = await db
        .selectFrom('content_findings')
        .selectAll()
        .where('organization_id', '=', principal.organizationId)
        .where('project_id', '=', projectId)
        .where('check_uuid', '=', check)
        .orderBy('id')
        .execute();
      return rows.map((row) => ({
        id: row.id,
        checkUuid: row.check_uuid,
        projectId: row.project_id,
        itemKind: row.item_kind,
        itemId: row.item_id,
        itemUuid: row.item_uuid,
        itemName: row.item_name,
        folderUuid: row.folder_uuid,
        problemKind: row.problem_kind as ProblemKind,
        fieldName: row.field_name,
        message: row.message,
        createdAt: row.created_at,
      }));
    },
  };
}

export type ContentChecks = ReturnType<typeof createContentChecks>;
