/**
 * Dashboard changes a face runs as jobs because its vendor does (Holistics answers a clone or a
 * tag edit with a job to follow): the change is checked with the caller's rights when queued,
 * and made as the caller, within the credential that queued it, when the job runs.
 */
import { authorize } from '../auth/authorize.ts';
import { actingWithin, type CredentialScope, credentialScope } from '../auth/credential-scope.ts';
import type { Principal } from '../auth/principal.ts';
import { forbidden, isRosettaError, validationError } from '../errors.ts';
import { label } from '../input.ts';
import type { Job, JobService } from '../jobs/index.ts';
import type { DashboardService } from './dashboards.ts';
import type { FolderService } from './folders.ts';
import type { ContentRef } from './types.ts';

export const DASHBOARD_CLONE_JOB_TYPE = 'dashboard_clone';
export const DASHBOARD_TAGS_JOB_TYPE = 'dashboard_tags';

export interface CloneJobInput {
  name?: string;
  /** The folder of the copy; null: the top level; absent: where the original is. */
  folderId?: number | null;
}

/** Tags to add, and tags to remove (`removeAll`: every tag the dashboard has). */
export interface TagEdit {
  add?: string[];
  remove?: string[];
  removeAll?: boolean;
}

interface Scoped {
  dashboardId: number;
  scope: CredentialScope;
}
type ClonePayload = Scoped & CloneJobInput;
type TagsPayload = Scoped & TagEdit;

export interface ContentJobs {
  clone(principal: Principal, ref: ContentRef, input: CloneJobInput): Promise<Job>;
  editTags(principal: Principal, ref: ContentRef, edit: TagEdit): Promise<Job>;
}

export function createContentJobs(deps: {
  jobs: JobService;
  dashboards: DashboardService;
  folders: FolderService;
  owners(organizationId: number, userId: number): Promise<Principal | undefined>;
}): ContentJobs {
  async function actor(job: Job, scope: CredentialScope): Promise<Principal> {
    const owner = job.ownerId === null ? undefined : await deps.owners(job.organizationId, job.ownerId);
    if (!owner) throw new Error(`the user who queued this job (${job.ownerId}) no longer exists`);
    return actingWithin(owner, scope);
  }

  deps.jobs.register<ClonePayload, { dashboardId: number; dashboardUuid: string }>(DASHBOARD_CLONE_JOB_TYPE, {
    concurrency: 2,
    timeoutMs: 60_000,
    // A requeued clone could make a second copy.
    onInterrupted: 'fail',
    async run(job, { payload, log }) {
      const principal = await actor(job, payload.scope);
      const copy = await deps.dashboards.clone(principal, payload.dashboardId, {
        ...(payload.name !== undefined && { name: payload.name }),
        ...(payload.folderId !== undefined && { folderId: payload.folderId }),
      });
      await log(`cloned dashboard ${payload.dashboardId} as ${copy.id}`);
      return { dashboardId: copy.id, dashboardUuid: copy.uuid };
    },
  });

  deps.jobs.register<TagsPayload, { dashboardId: number; tags: string[] }>(DASHBOARD_TAGS_JOB_TYPE, {
    concurrency: 2,
    timeoutMs: 60_000,
    // Adding or removing tags again changes nothing.
    onInterrupted: 'requeue',
    async run(job, { payload }) {
      const principal = await actor(job, payload.scope);
      const current = await deps.dashboards.lookup(principal, payload.dashboardId);
      const removed = new Set(payload.removeAll ? current.tags : (payload.remove ?? []));
      const tags = [...new Set([...current.tags.filter((tag) => !removed.has(tag)), ...(payload.add ?? [])])];
      const updated = await deps.dashboards.update(principal, payload.dashboardId, { tags });
      return { dashboardId: updated.id, tags: updated.tags };
    },
  });

  /** The dashboard, when the principal may edit it: refused now rather than in the job. */
  async function editable(principal: Principal, ref: ContentRef, action: string): Promise<number> {
    authorize(principal, 'dashboard.edit');
    const { id, editable } = await deps.dashboards.editable(principal, ref);
    if (!editable) throw forbidden(action);
    return id;
  }

  return {
    async clone(principal, ref, input) {
      authorize(principal, 'dashboard.edit');
      const { id } = await deps.dashboards.lookup(principal, ref);
      const name = input.name === undefined ? undefined : label('name', input.name);
      // A folder the caller cannot see is the request's mistake, told now rather than by a failed job.
      if (typeof input.folderId === 'number')
        await deps.folders.get(principal, input.folderId).catch((error: unknown) => {
          if (isRosettaError(error) && error.code === 'ERR_NOT_FOUND')
            throw validationError('folderId', `folder ${input.folderId} not found`);
          throw error;
        });
      const payload: ClonePayload = { dashboardId: id, scope: credentialScope(principal), ...input };
      if (name !== undefined) payload.name = name;
      return deps.jobs.enqueue(principal, DASHBOARD_CLONE_JOB_TYPE, payload);
    },
    async editTags(principal, ref, edit) {
      const dashboardId = await editable(principal, ref, "change this dashboard's tags");
      for (const [index, tag] of (edit.add ?? []).entries()) label(`tags[${index}]`, tag, 64);
      if ((edit.add?.length ?? 0) > 50) throw validationError('tags', 'at most 50 tags');
      const payload: TagsPayload = { dashboardId, scope: credentialScope(principal), ...edit };
      return deps.jobs.enqueue(principal, DASHBOARD_TAGS_JOB_TYPE, payload);
    },
  };
}
