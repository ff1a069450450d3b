import { Type } from 'typebox';
import type { Principal } from '../../../core/auth/index.ts';
import type { Project } from '../../../core/directory/index.ts';
import { notFound, validationError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import { ok } from './envelope.ts';
import { type Explore, listExplores } from './explores.ts';
import type { MetricQuery } from './metric-query.ts';
import { onMetricQueryPaths, prepareMetricQuery } from './metric-query.ts';

export type FieldSearchPorts = Pick<Services, 'directory' | 'data' | 'query'>;

/** Values a search answers when the body names no limit. */
const DEFAULT_LIMIT = 100;

const Params = Type.Object({
  projectUuid: Type.String({ maxLength: 64 }),
  fieldId: Type.String({ minLength: 1, maxLength: 1000 }),
});
const Body = Type.Object(
  {
    search: Type.String({ maxLength: 1000 }),
    table: Type.String({ maxLength: 1000 }),
    limit: Type.Optional(Type.Integer({ minimum: 1 })),
    filters: Type.Optional(Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()])),
    forceRefresh: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true },
);

/** The explore of `table`: the one of that name, else the one that joins a table of that name. */
async function exploreOfTable(
  ports: FieldSearchPorts,
  principal: Principal,
  project: Project,
  table: string,
): Promise<Explore> {
  if (!table) throw validationError('table', 'Field value search requires a non-empty "table"');
  const explores = await listExplores(ports, principal, project);
  const explore =
    explores.find((candidate) => candidate.name === table) ??
    explores.find((candidate) => candidate.tables.some((each) => each.name === table));
  if (!explore) throw notFound('explore', table);
  return explore;
}

/** The rules of `filters.and` that name fields of the explore: a dashboard's filters may name others. */
function filtersWithin(explore: Explore, filters: object | null | undefined): unknown[] {
  if (filters === undefined || filters === null) return [];
  if (!('and' in filters) || !Array.isArray(filters.and))
    throw validationError('filters.and', 'Filters must include an "and" array of filter rules');
  const ids = new Set(explore.fields.map((field) => field.id));
  return filters.and.filter((rule) => {
    const fieldId = (rule as { target?: { fieldId?: unknown } } | null)?.target?.fieldId;
    return typeof fieldId === 'string' && ids.has(fieldId);
  });
}

/**
 * Filter-value autocomplete (`POST /projects/{uuid}/field/{fieldId}/search`, Appendix B): the
 * distinct values of a dimension that contain `search` (case-insensitively), not null, sorted,
 * at most `limit`, under the body's filters on the same explore. It is a MetricQuery run like
 * any other, so the query core applies the caller's row policies and access lists.
 */
export function registerFieldSearchRoutes(app: App, ports: FieldSearchPorts, limits: { maxLimit: number }) {
  app.post(
    '/v1/projects/:projectUuid/field/:fieldId/search',
    { schema: { params: Params, body: Body } },
    async (request) => {
      const principal = principalOf(request);
      const { search, table, filters, forceRefresh } = request.body;
      const limit = request.body.limit ?? Math.min(DEFAULT_LIMIT, limits.maxLimit);
      if (limit > limits.maxLimit)
        throw validationError('limit', `Query limit can not exceed ${limits.maxLimit}`);
      const project = await ports.directory.projects.getByUuid(principal, request.params.projectUuid);
      const explore = await exploreOfTable(ports, principal, project, table);
      const { fieldId } = request.params;
      const field = explore.fields.find((candidate) => candidate.id === fieldId);
      if (!field) throw notFound('dimension', fieldId);
      if (field.fieldType !== 'dimension')
        throw validationError(
          'fieldId',
          `Searching by field is only available for dimensions, but ${fieldId} is a metric`,
        );
      if (search !== '' && field.type !== 'string')
        throw validationError(
          'search',
          `only text fields are searched by text, and ${fieldId} is a ${field.type}`,
        );
      const target = { fieldId };
      const rules = [
        ...(search === '' ? [] : [{ id: 'search', target, operator: 'include', values: [search] }]),
        { id: 'present', target, operator: 'notNull', values: [] },
        ...filtersWithin(explore, filters),
      ];
      const metricQuery: MetricQuery = {
        exploreName: explore.name,
        dimensions: [fieldId],
        metrics: [],
        filters: { dimensions: { id: 'autocomplete', and: rules } },
        tableCalculations: [],
        sorts: [{ fieldId, descending: false }],
        limit,
      };
      const { model, planned } = await prepareMetricQuery(ports, principal, project, metricQuery, {
        maxLimit: limits.maxLimit,
        exploreName: explore.name,
      });
      const result = await onMetricQueryPaths(planned.paths, () =>
        ports.query.runIr(principal, model, planned.ir, { noCache: forceRefresh === true, maxRows: limit }),
      );
      const column = result.columns.findIndex((each) => each.name === fieldId);
      return ok({
        search,
        results: result.rows.map((row) => row[column]),
        // The core's cache is dropped whenever the data changes: a cached answer is current.
        refreshedAt: new Date().toISOString(),
        cached: result.cached,
      });
    },
  );
}
