/**
 * Deploying models as code as a job (Holistics' dbt manifest uploads answer with a job to follow).
 * What is deployed is a plan the core does not read: a format (`src/formats`, which the core never
 * imports) made it from the uploaded files, and the composition root hands in the format's deploy,
 * which goes through the core services. The right is checked when the deploy is asked for, and
 * the deploy runs as its owner now, so a user demoted in between changes nothing.
 */
import { authorize } from '../auth/authorize.ts';
import { actingWithin, type CredentialScope, credentialScope } from '../auth/credential-scope.ts';
import type { Principal } from '../auth/principal.ts';
import type { Job, JobService } from '../jobs/index.ts';

export const MODEL_DEPLOY_JOB_TYPE = 'models_deploy';

/** Where a deploy puts its models: a project, reading one connection. */
export interface DeployTarget {
  projectId: number;
  connectionId: number;
}

interface ModelDeployPayload {
  /** Which format's deploy reads the plan (`dbt_manifests`). */
  format: string;
  plan: unknown;
  target: DeployTarget;
  scope: CredentialScope;
}

/** A format's deploy: the plan it made, carried out through the core services as `principal`. */
export type DeployPlan = (principal: Principal, plan: unknown, target: DeployTarget) => Promise<unknown>;

export interface ModelDeploys {
  /** Queues deploying `plan` with the deploy of `format` (`model.manage`); the job's result is the deploy's. */
  enqueue(principal: Principal, format: string, plan: unknown, target: DeployTarget): Promise<Job>;
}

export function createModelDeploys(deps: {
  jobs: Pick<JobService, 'register' | 'enqueue'>;
  /** The deploy of each format the server knows. */
  formats: Record<string, DeployPlan>;
  owners(organizationId: number, userId: number): Promise<Principal | undefined>;
}): ModelDeploys {
  deps.jobs.register<ModelDeployPayload, unknown>(MODEL_DEPLOY_JOB_TYPE, {
    concurrency: 1,
    timeoutMs: 10 * 60_000,
    // A deploy half done is finished by running it again: it finds what it created.
    onInterrupted: 'requeue',
    async run(job, context) {
      const { format, plan, target, scope } = context.payload;
      const deploy = deps.formats[format];
      if (!deploy) throw new Error(`this server has no deploy for "${format}"`);
      const owner = job.ownerId === null ? undefined : await deps.owners(job.organizationId, job.ownerId);
      if (!owner) throw new Error(`the user who asked for this deploy (${job.ownerId}) no longer exists`);
      const result = await deploy(actingWithin(owner, scope), plan, target);
      await context.log('models deployed');
      return result;
    },
  });
  return {
    async enqueue(principal, format, plan, target) {
      authorize(principal, 'model.manage', { projectId: target.projectId });
      const payload: ModelDeployPayload = { format, plan, target, scope: credentialScope(principal) };
      return deps.jobs.enqueue(principal, MODEL_DEPLOY_JOB_TYPE, payload);
    },
  };
}
