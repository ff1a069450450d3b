import type { AuditService } from './core/audit/index.ts';
import type { AccountService, AuthService, EmbedService } from './core/auth/index.ts';
import type { ContentChecks, ContentService } from './core/content/index.ts';
import type { DataModule, ProjectCompiles } from './core/data/index.ts';
import type { DirectoryService } from './core/directory/index.ts';
import type { ExportService } from './core/exports/index.ts';
import type { ExternalIds } from './core/ids/index.ts';
import type { JobService } from './core/jobs/index.ts';
import type { QueryJobService, QueryService } from './core/query/index.ts';
import type { ScheduleService } from './core/schedules/index.ts';
import type { ScriptService } from './core/scripts/index.ts';
import type { TrashService } from './core/trash/index.ts';
import type { ViewService } from './core/views/index.ts';

/**
 * Every core service, built once by the composition root (`app.ts`) and handed to each face.
 * Its own module so that faces depend on the core's shape, never on `app.ts` that registers them.
 */
export interface Services {
  directory: DirectoryService;
  auth: AuthService;
  account: AccountService;
  data: DataModule;
  query: QueryService;
  queryJobs: QueryJobService;
  content: ContentService;
  contentChecks: ContentChecks;
  /** Lightdash's project compiles: every model of a project checked against its warehouse. */
  projectCompiles: ProjectCompiles;
  views: ViewService;
  jobs: JobService;
  embeds: EmbedService;
  scripts: ScriptService;
  exports: ExportService;
  schedules: ScheduleService;
  audit: AuditService;
  trash: TrashService;
  externalIds: ExternalIds;
}
