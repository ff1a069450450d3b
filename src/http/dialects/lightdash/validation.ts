import { Type } from 'typebox';
import type { ContentChecks, ContentFinding, ProblemKind } from '../../../core/content/index.ts';
import { validationError } from '../../../core/errors.ts';
import { lightdashFieldId } from '../../kit/index.ts';
import type { App } from '../../server.ts';
import { type ContentPorts, contentContext } from './content-context.ts';
import { ok } from './envelope.ts';

export type ValidationPorts = ContentPorts & { contentChecks: ContentChecks };

/** Lightdash's `ValidationErrorType` of each core problem; a query that fails otherwise is the chart's. */
const errorTypes: Record<ProblemKind, string> = {
  dimension: 'dimension',
  metric: 'metric',
  filter: 'filter',
  sorting: 'sorting',
  model: 'model',
  chart: 'chart',
  query: 'chart',
};

/** A field the core names `table.field` is `table_field` here; a bare name stays as it is. */
function fieldIdOf(name: string | null): string | undefined {
  if (name === null) return undefined;
  const dot = name.indexOf('.');
  return dot < 0 ? name : lightdashFieldId({ table: name.slice(0, dot), field: name.slice(dot + 1) });
}

/** `ValidationResponse` (spec §2.12): the chart or dashboard variant of a finding. */
function validationJson(projectUuid: string, finding: ContentFinding) {
  const base = {
    validationId: finding.id,
    createdAt: finding.createdAt,
    projectUuid,
    ...(finding.folderUuid && { spaceUuid: finding.folderUuid }),
    source: finding.itemKind,
    errorType: errorTypes[finding.problemKind],
    error: finding.message,
    name: finding.itemName,
    ...(finding.fieldName !== null && { fieldName: fieldIdOf(finding.fieldName) }),
  };
  return finding.itemKind === 'chart'
    ? { ...base, chartUuid: finding.itemUuid, chartName: finding.itemName, chartViews: 0 }
    : { ...base, dashboardUuid: finding.itemUuid, dashboardViews: 0 };
}

const ProjectParams = Type.Object({ projectUuid: Type.String() });
const Target = Type.Union([Type.Literal('charts'), Type.Literal('dashboards'), Type.Literal('tables')]);

/**
 * Content validation (spec §2.12): a core check job over the project's charts and dashboards,
 * polled at `GET /v1/schedulers/job/{jobId}/status`, its findings read by job.
 */
export function registerValidationRoutes(app: App, ports: ValidationPorts): void {
  app.post(
    '/v1/projects/:projectUuid/validate',
    {
      schema: {
        params: ProjectParams,
        body: Type.Optional(
          Type.Object(
            {
              validationTargets: Type.Optional(Type.Array(Target)),
              explores: Type.Optional(Type.Array(Type.Unknown())),
            },
            { additionalProperties: true },
          ),
        ),
      },
    },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      // Checking content against explores that are not deployed would need models that do not exist.
      if ((request.body?.explores?.length ?? 0) > 0)
        throw validationError(
          'explores',
          'validating against uploaded explores is not supported: deploy them (PUT /explores), then validate',
        );
      const job = await ports.contentChecks.start(context.principal, context.project.id);
      return ok({ jobId: job.uuid });
    },
  );

  app.get(
    '/v1/projects/:projectUuid/validate',
    {
      schema: {
        params: ProjectParams,
        querystring: Type.Object({
          jobId: Type.Optional(Type.String({ maxLength: 64 })),
          fromSettings: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
        }),
      },
    },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const findings = await ports.contentChecks.findings(
        context.principal,
        context.project.id,
        request.query.jobId,
      );
      return ok(findings.map((finding) => validationJson(context.project.uuid, finding)));
    },
  );
}
