import { Type } from 'typebox';
import type { CompilePayload } from '../../../core/data/index.ts';
import type { Job, JobStatus } from '../../../core/jobs/index.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import { ok } from './envelope.ts';
import { NewProject, projectJson } from './projects.ts';

export type LifecyclePorts = Pick<Services, 'directory' | 'projectCompiles'>;

const ProjectUuid = Type.Object({ projectUuid: Type.String({ maxLength: 64 }) });
const JobUuid = Type.Object({ jobUuid: Type.String({ maxLength: 64 }) });
/**
 * `UpdateProject`: as on creation, only the name means something to Rosetta; the dbt and warehouse
 * settings the CLI and the settings page send are accepted and not kept.
 */
const UpdateProject = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    type: Type.Optional(Type.String()),
    dbtVersion: Type.Optional(Type.String()),
    dbtConnection: Type.Optional(Type.Unknown()),
    warehouseConnection: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: true },
);
/** `TablesConfiguration`; the core checks the type and the names or tags. */
const TablesConfiguration = Type.Object({
  tableSelection: Type.Object({ type: Type.String({ maxLength: 32 }), value: Type.Optional(Type.Unknown()) }),
});

/** Lightdash's `JobStatusType` and `JobStepStatusType` of each core job status. */
const jobStatuses: Record<JobStatus, 'STARTED' | 'RUNNING' | 'DONE' | 'ERROR'> = {
  created: 'STARTED',
  queued: 'STARTED',
  running: 'RUNNING',
  success: 'DONE',
  failure: 'ERROR',
  cancelled: 'ERROR',
};
const stepStatuses: Record<JobStatus, 'PENDING' | 'RUNNING' | 'DONE' | 'ERROR'> = {
  created: 'PENDING',
  queued: 'PENDING',
  running: 'RUNNING',
  success: 'DONE',
  failure: 'ERROR',
  cancelled: 'ERROR',
};

/**
 * Lightdash's `Job`: a compile has one step, the check of every model against its warehouse
 * (core `createProjectCompiles`), whose error is the job's.
 */
function jobJson(job: Job & { payload: CompilePayload }, userUuid: string | undefined) {
  const updatedAt = job.finishedAt ?? job.heartbeatAt ?? job.startedAt ?? job.createdAt;
  const { projectUuid, trigger } = job.payload;
  const failed = jobStatuses[job.status] === 'ERROR';
  return {
    jobUuid: job.uuid,
    projectUuid,
    ...(userUuid !== undefined && { userUuid }),
    createdAt: job.createdAt,
    updatedAt,
    jobStatus: jobStatuses[job.status],
    jobType: trigger === 'create' ? 'CREATE_PROJECT' : 'COMPILE_PROJECT',
    ...(job.status === 'success' && { jobResults: { projectUuid } }),
    steps: [
      {
        jobUuid: job.uuid,
        createdAt: job.createdAt,
        updatedAt,
        stepStatus: stepStatuses[job.status],
        stepType: 'COMPILING',
        stepLabel: 'Checking the models against the warehouse',
        ...(failed && { stepError: job.error ?? `job ${job.status}` }),
        ...(job.startedAt !== null && { startedAt: job.startedAt }),
      },
    ],
  };
}

/**
 * The project lifecycle routes Lightdash hides from its reference (Appendix B): creating a
 * project with a compile, updating one (then recompiling), refreshing, following the compile
 * job, and the table selection `GetExplores?filtered=true` honours.
 */
export function registerProjectLifecycleRoutes(app: App, ports: LifecyclePorts): void {
  const { directory, projectCompiles } = ports;

  app.post('/v1/org/projects/precompiled', { schema: { body: NewProject } }, async (request) => {
    const principal = principalOf(request);
    const project = await directory.projects.create(principal, { name: request.body.name });
    const job = await projectCompiles.start(principal, project, 'create');
    return ok({
      project: projectJson(project, await directory.getOrganization(principal)),
      hasContentCopy: false,
      jobUuid: job.uuid,
    });
  });

  app.patch(
    '/v1/projects/:projectUuid',
    { schema: { params: ProjectUuid, body: UpdateProject } },
    async (request) => {
      const principal = principalOf(request);
      let project = await directory.projects.getByUuid(principal, request.params.projectUuid);
      if (request.body.name !== undefined)
        project = await directory.projects.rename(principal, project.id, { name: request.body.name });
      const job = await projectCompiles.start(principal, project, 'update');
      return ok({ jobUuid: job.uuid });
    },
  );

  app.post('/v1/projects/:projectUuid/refresh', { schema: { params: ProjectUuid } }, async (request) => {
    const principal = principalOf(request);
    const project = await directory.projects.getByUuid(principal, request.params.projectUuid);
    const job = await projectCompiles.start(principal, project, 'refresh');
    return ok({ jobUuid: job.uuid });
  });

  app.get('/v1/jobs/:jobUuid', { schema: { params: JobUuid } }, async (request) => {
    const principal = principalOf(request);
    const job = await projectCompiles.get(principal, request.params.jobUuid);
    const owner =
      job.ownerId === null
        ? undefined
        : await directory.getUser(principal, job.ownerId).catch(() => undefined);
    return ok(jobJson(job, owner?.uuid));
  });

  app.get(
    '/v1/projects/:projectUuid/tablesConfiguration',
    { schema: { params: ProjectUuid } },
    async (request) => {
      const principal = principalOf(request);
      const project = await directory.projects.getByUuid(principal, request.params.projectUuid);
      return ok({ tableSelection: await directory.tableSelections.get(principal, project.id) });
    },
  );

  app.patch(
    '/v1/projects/:projectUuid/tablesConfiguration',
    { schema: { params: ProjectUuid, body: TablesConfiguration } },
    async (request) => {
      const principal = principalOf(request);
      const project = await directory.projects.getByUuid(principal, request.params.projectUuid);
      const { type, value } = request.body.tableSelection;
      return ok({
        tableSelection: await directory.tableSelections.set(principal, project.id, { type, value }),
      });
    },
  );
}
