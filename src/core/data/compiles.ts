import { authorize } from '../auth/authorize.ts';
import { actingWithin, type CredentialScope, credentialScope } from '../auth/credential-scope.ts';
import type { Principal } from '../auth/principal.ts';
import { isRosettaError, notFound, validationError } from '../errors.ts';
import type { Job, JobService } from '../jobs/index.ts';
import type { ModelService } from './models.ts';

export const PROJECT_COMPILE_JOB_TYPE = 'project.compile';

/** Why a compile was asked for: a new project, changed project settings, or a plain refresh. */
export type CompileTrigger = 'create' | 'update' | 'refresh';

export interface CompilePayload {
  projectId: number;
  projectUuid: string;
  trigger: CompileTrigger;
  scope: CredentialScope;
}

/** One model's outcome: nothing when it still compiles, else the error saving it would give. */
export interface ModelCompile {
  model: string;
  uuid: string;
  problem?: { message: string; field?: string };
}

export interface CompileResult {
  models: ModelCompile[];
}

export interface ProjectCompiles {
  /** Queues a compile of the project's models (developers: they own the models). */
  start(principal: Principal, project: { id: number; uuid: string }, trigger: CompileTrigger): Promise<Job>;
  /** A compile job the caller may follow; any other job, or none, is not found. */
  get(principal: Principal, ref: string): Promise<Job & { payload: CompilePayload }>;
}

export interface CompileDeps {
  jobs: Pick<JobService, 'register' | 'enqueue' | 'get'>;
  models: Pick<ModelService, 'list' | 'check'>;
  owners(organizationId: number, userId: number): Promise<Principal | undefined>;
}

/** The errors that say a model is broken; any other (a timeout, a fault) fails the compile as it is. */
const modelErrors = new Set(['ERR_VALIDATION', 'ERR_NOT_FOUND', 'ERR_ENGINE']);

/**
 * A project's compile (Lightdash's "refresh"): Rosetta has no dbt project to compile, so it does
 * what compiling proves — every model of the project is checked against its warehouse as it is now
 * (tables still there, columns still there with their types, SQL the warehouse still accepts),
 * through the same checks saving a model runs. A model that no longer holds fails the job, naming
 * each broken model and why; each model's outcome is in the job's log.
 */
export function createProjectCompiles(deps: CompileDeps): ProjectCompiles {
  deps.jobs.register<CompilePayload, CompileResult>(PROJECT_COMPILE_JOB_TYPE, {
    concurrency: 2,
    timeoutMs: 10 * 60_000,
    // A compile only reads: running it again is harmless.
    onInterrupted: 'requeue',
    async run(job, context) {
      const owner = job.ownerId === null ? undefined : await deps.owners(job.organizationId, job.ownerId);
      if (!owner) throw new Error(`the user who asked for this compile (${job.ownerId}) no longer exists`);
      const principal = actingWithin(owner, context.payload.scope);
      const models = await deps.models.list(principal, { projectId: context.payload.projectId });
      const outcomes: ModelCompile[] = [];
      for (const [i, model] of models.entries()) {
        context.signal.throwIfAborted();
        const outcome: ModelCompile = { model: model.name, uuid: model.uuid };
        try {
          await deps.models.check(principal, model.id);
          await context.log(`model "${model.name}" compiles`);
        } catch (error) {
          if (!isRosettaError(error) || !modelErrors.has(error.code)) throw error;
          outcome.problem = {
            message: error.message,
            ...(error.field !== undefined && { field: error.field }),
          };
          await context.log(`model "${model.name}": ${error.message}`, 'error');
        }
        outcomes.push(outcome);
        await context.progress(Math.round(((i + 1) * 100) / models.length));
      }
      const broken = outcomes.filter((outcome) => outcome.problem);
      if (broken.length > 0)
        throw validationError(
          'models',
          `${broken.length} of ${outcomes.length} models no longer compile: ${broken
            .map((outcome) => `"${outcome.model}": ${outcome.problem?.message}`)
            .join('; ')}`,
        );
      return { models: outcomes };
    },
  });

  return {
    async start(principal, project, trigger) {
      authorize(principal, 'model.manage', { projectId: project.id });
      const payload: CompilePayload = {
        projectId: project.id,
        projectUuid: project.uuid,
        trigger,
        scope: credentialScope(principal),
      };
      return deps.jobs.enqueue(principal, PROJECT_COMPILE_JOB_TYPE, payload);
    },

    async get(principal, ref) {
      const job = await deps.jobs.get(principal, ref);
      if (job.type !== PROJECT_COMPILE_JOB_TYPE) throw notFound('job', ref);
      return job as Job & { payload: CompilePayload };
    },
  };
}
