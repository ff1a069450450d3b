import { Type } from 'typebox';
import type { ViewService } from '../../core/views/index.ts';
import { type App, principalOf } from '../server.ts';
import { queryResult } from './query.ts';

const WidgetParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  widgetId: Type.String({ minLength: 1, maxLength: 64 }),
});
const FilterParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  filterId: Type.String({ minLength: 1, maxLength: 64 }),
});
const ViewBody = Type.Object(
  {
    filters: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          'Dashboard filter id → a list of values, {from, to} (dates, inclusive), {min, max} or {relative: ["last", 7, "day"]}',
      }),
    ),
    variables: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: "Values of the dashboard's variables" }),
    ),
  },
  { additionalProperties: false },
);

/**
 * What a dashboard page (and an embedded one) asks: each widget's data with the dashboard's
 * filters and variables, and the values a filter offers. Viewers and embeds read data this way
 * only; ad-hoc queries (`POST /query`) need the interactive_viewer role.
 */
export function registerViewRoutes(app: App, deps: { views: ViewService }): void {
  app.post(
    '/dashboards/:id/widgets/:widgetId/results',
    {
      schema: {
        summary: "Run a dashboard widget's query with the dashboard's filters and variables",
        params: WidgetParams,
        body: ViewBody,
        response: {
          200: Type.Object({ ...queryResult.properties, appliedFilters: Type.Array(Type.String()) }),
        },
      },
      // No body at all runs the widget with the dashboard's defaults.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      // A page that goes away (filters changed, tab closed) cancels its statement on the warehouse.
      const abort = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      const noCache = /no-cache/i.test(request.headers['cache-control'] ?? '');
      const { id, widgetId } = request.params;
      return deps.views.widgetResults(principalOf(request), id, widgetId, request.body, {
        signal: abort.signal,
        noCache,
      });
    },
  );

  app.get(
    '/dashboards/:id/filters/:filterId/values',
    {
      schema: {
        summary: 'The values a dashboard filter offers (as the caller may see them)',
        params: FilterParams,
        response: {
          200: Type.Object({ values: Type.Array(Type.Unknown()), truncated: Type.Boolean() }),
        },
      },
    },
    async (request) =>
      deps.views.filterChoices(principalOf(request), request.params.id, request.params.filterId),
  );
}
