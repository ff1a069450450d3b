import type { AuditService } from './core/audit/index.ts';
import type { AccountService, AuthService, EmbedService, InvitationJobs } from './core/auth/index.ts';
import type { ContentChecks, ContentJobs, ContentService } from './core/content/index.ts';
import type { DataModule, ModelDeploys, ProjectCompiles } from './core/data/index.ts';
import type { DirectoryService } from './core/directory/index.ts';
import type { ExportService } from './core/exports/index.ts';
import type { ExternalIds } from './core/ids/index.ts';
import type { JobService } from './core/jobs/index.ts';
import type { CacheBusts, QueryJobService, QueryService } from './core/query/index.ts';
import type { ScheduleService } from './core/schedules/index.ts';
import type { ScriptService } from './core/scripts/index.ts';
import type { TrashService } from './core/trash/index.ts';
import type { DashboardPreloads, ViewService } from './core/views/index.ts';

/**
 * Every core service, built once by the composition root (`app.ts`) and handed to each face.
 * Its own module so that faces depend on the core's shape, never on `app.ts` that registers them.
 */
export interface Services {
  directory: DirectoryService;
  auth: AuthService;
  account: AccountService;
  /** Invitations sent as jobs (many emails at once, or an invitation sent again). */
  invitations: InvitationJobs;
  data: DataModule;
  query: QueryService;
  queryJobs: QueryJobService;
  /** A connection's cached query results dropped, as a job (Holistics' `bust_exploration_cache`). */
  cacheBusts: CacheBusts;
  content: ContentService;
  contentChecks: ContentChecks;
  /** Dashboard clones and tag edits run as jobs (faces whose vendor answers them with one). */
  contentJobs: ContentJobs;
  /** Lightdash's project compiles: every model of a project checked against its warehouse. */
  projectCompiles: ProjectCompiles;
  /** Models as code deployed as a job, from a plan a format read (Holistics' dbt manifest uploads). */
  modelDeploys: ModelDeploys;
  views: ViewService;
  /** Dashboards' widgets run ahead of their viewers, as a job (the cache warmed). */
  preloads: DashboardPreloads;
  jobs: JobService;
  embeds: EmbedService;
  scripts: ScriptService;
  exports: ExportService;
  schedules: ScheduleService;
  audit: AuditService;
  trash: TrashService;
  externalIds: ExternalIds;
}
