import { Type } from 'typebox';
import type { Principal } from '../../../core/auth/index.ts';
import { validationError } from '../../../core/errors.ts';
import { deployDbtProject, projectFromExplores } from '../../../formats/dbt/index.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import { ok } from './envelope.ts';

export type DeployPorts = Pick<Services, 'directory' | 'data'>;

/**
 * The warehouse deployed explores read: the connection the project's models already read (the
 * first), else the organization's embedded warehouse, as `lightdash deploy` targets the
 * project's one warehouse.
 */
async function deployConnection(
  ports: DeployPorts,
  principal: Principal,
  projectId: number,
): Promise<number> {
  const [model] = await ports.data.models.list(principal, { projectId });
  if (model) return model.connectionId;
  const builtin = (await ports.data.connections.list(principal)).find((connection) => connection.builtin);
  if (!builtin) throw validationError('projectUuid', 'the project has no warehouse connection');
  return builtin.id;
}

/**
 * `SetExplores` (Appendix A; `lightdash deploy`): the compiled explores become the project's
 * models — read back into the dbt project they came from and deployed as the native dbt route
 * does, so the core checks every column and rule.
 */
export function registerDeployRoutes(app: App, ports: DeployPorts): void {
  app.put(
    '/v1/projects/:projectUuid/explores',
    {
      schema: {
        params: Type.Object({ projectUuid: Type.String() }),
        body: Type.Array(Type.Unknown()),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const project = await ports.directory.projects.getByUuid(principal, request.params.projectUuid);
      const dbt = projectFromExplores(request.body);
      const connectionId = await deployConnection(ports, principal, project.id);
      await deployDbtProject({ sources: ports.data.sources, models: ports.data.models }, principal, dbt, {
        projectId: project.id,
        connectionId,
      });
      return ok();
    },
  );
}
