import { Type } from 'typebox';
import type { ConnectionService, DataSourceService, ModelService } from '../../core/data/index.ts';
import type { DirectoryService } from '../../core/directory/index.ts';
import { isRosettaError, validationError } from '../../core/errors.ts';
import {
  type DbtProject,
  deployDbtProject,
  exportDbtProject,
  projectFromFiles,
  projectFromManifest,
} from '../../formats/dbt/index.ts';
import { type App, principalOf } from '../server.ts';

/**
 * Models as code: a project's models from a dbt project with Lightdash meta, and back
 * (formats/dbt). Deploying changes models (`model.manage`, developers and admins; the services
 * check again, and the data sources it creates need `source.manage`, the same role).
 */
const Params = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,9}$' }) });
const File = Type.Object(
  {
    path: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'Path in the dbt project (`models/schema.yml`)',
    }),
    content: Type.String({ maxLength: 5_000_000 }),
  },
  { additionalProperties: false },
);
const Files = Type.Array(File, { maxItems: 1000 });
const DeployBody = Type.Object(
  {
    files: Type.Optional(Files),
    manifest: Type.Optional(
      Type.Object({}, { additionalProperties: true, description: "dbt's compiled manifest.json" }),
    ),
    connectionId: Type.Optional(
      Type.Integer({ minimum: 1, description: "The models' warehouse; default: the embedded DuckDB" }),
    ),
  },
  {
    additionalProperties: false,
    description: 'Either `files` (schema YAML and model .sql files) or `manifest`',
  },
);
const Action = (actions: string[]) => Type.String({ enum: actions });
const DeployResult = Type.Object({
  dataSources: Type.Array(
    Type.Object({
      model: Type.String(),
      id: Type.Integer(),
      uuid: Type.String(),
      name: Type.String(),
      action: Action(['found', 'created', 'updated']),
    }),
  ),
  models: Type.Array(
    Type.Object({
      id: Type.Integer(),
      uuid: Type.String(),
      name: Type.String(),
      action: Action(['created', 'updated']),
    }),
  ),
});

export function registerDbtRoutes(
  app: App,
  deps: {
    directory: Pick<DirectoryService, 'projects'>;
    connections: Pick<ConnectionService, 'list' | 'get'>;
    sources: DataSourceService;
    models: ModelService;
  },
): void {
  const ports = { sources: deps.sources, models: deps.models };

  app.post(
    '/projects/:id/dbt',
    { schema: { params: Params, body: DeployBody, response: { 200: DeployResult } } },
    async (request) => {
      const principal = principalOf(request);
      const project = await deps.directory.projects.get(principal, Number(request.params.id));
      const { files, manifest, connectionId } = request.body;
      if ((files === undefined) === (manifest === undefined))
        throw validationError('files', 'give either "files" or "manifest"');
      const dbt: DbtProject = files ? projectFromFiles(files) : projectFromManifest(manifest);
      const connection =
        connectionId === undefined
          ? (await deps.connections.list(principal)).find((c) => c.builtin)
          : await deps.connections.get(principal, connectionId).catch((error: unknown) => {
              throw isRosettaError(error) && error.code === 'ERR_NOT_FOUND'
                ? validationError('connectionId', `no connection ${connectionId}`)
                : error;
            });
      if (!connection)
        throw validationError('connectionId', 'is required: the organization has no embedded warehouse');
      return deployDbtProject(ports, principal, dbt, { projectId: project.id, connectionId: connection.id });
    },
  );

  app.get(
    '/projects/:id/dbt',
    { schema: { params: Params, response: { 200: Type.Object({ files: Files }) } } },
    async (request) => {
      const principal = principalOf(request);
      const project = await deps.directory.projects.get(principal, Number(request.params.id));
      return { files: await exportDbtProject(ports, principal, project.id) };
    },
  );
}
