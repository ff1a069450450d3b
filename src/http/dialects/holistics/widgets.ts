import type { Principal } from '../../../core/auth/index.ts';
import type { Dashboard, Widget } from '../../../core/content/index.ts';
import { notFound } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { renameFields } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import { shaperOf } from './dashboards.ts';
import { datasetJson } from './data-sets.ts';
import { findDataset } from './dataset-catalog.ts';
import { type DynamicFilterCondition, viewFilterValues } from './filter-conditions.ts';
import { asyncResult } from './jobs-view.ts';
import { holisticsRoute } from './routes.ts';

export type WidgetPorts = Pick<Services, 'content' | 'data' | 'exports'>;

type WidgetParams = { Params: { id: number | string } };

export interface FoundWidget {
  dashboard: Dashboard;
  widget: Widget;
  id: number;
}

/**
 * The widget a Holistics widget id names (the integer id the content module's map gave it), on a
 * dashboard the caller sees; a 404 for an id naming nothing, a removed widget included.
 */
export async function findWidget(
  ports: Pick<Services, 'content'>,
  principal: Principal,
  ref: number | string,
  noun = 'dashboard widget',
): Promise<FoundWidget> {
  const id = Number(ref);
  const found = /^\d{1,15}$/.test(String(ref))
    ? await ports.content.itemIds.find(principal.organizationId, 'widget', id)
    : undefined;
  if (!found) throw notFound(noun, String(ref));
  const dashboard = await ports.content.dashboards.lookup(principal, found.dashboardId);
  const widget = dashboard.widgets.find((candidate) => candidate.id === found.key);
  if (!widget) throw notFound(noun, String(ref));
  return { dashboard, widget, id };
}

export function registerWidgetRoutes(api: App, ports: WidgetPorts): void {
  holisticsRoute<
    WidgetParams & {
      Querystring: { include_dashboard?: boolean; include_report?: boolean; include_url?: boolean };
    }
  >(api, 'DashboardWidgets_Get', async (request) => {
    const { dashboard, widget, id } = await findWidget(ports, principalOf(request), request.params.id);
    const { include_dashboard, include_report, include_url } = request.query;
    return {
      dashboard_widget: await shaperOf(ports, request).widget(dashboard, widget, id, {
        dashboard: include_dashboard,
        report: include_report,
        url: include_url,
      }),
    };
  });

  holisticsRoute<WidgetParams>(api, 'DashboardWidgets_Delete', async (request) => {
    const principal = principalOf(request);
    const { dashboard, widget } = await findWidget(ports, principal, request.params.id);
    await ports.content.dashboards.deleteWidget(principal, dashboard.id, widget.id);
    return { message: 'Dashboard Widget was deleted successfully' };
  });

  holisticsRoute<
    WidgetParams & {
      Body: {
        output: 'csv' | 'xlsx' | 'excel' | 'pdf';
        dashboard_filter_conditions?: DynamicFilterCondition[];
      };
    }
  >(api, 'DashboardWidgets_SubmitExport', async (request) => {
    const principal = principalOf(request);
    const { dashboard, widget } = await findWidget(ports, principal, request.params.id);
    const filters = await viewFilterValues(
      ports.content.itemIds,
      dashboard,
      request.body.dashboard_filter_conditions,
      'dashboard_filter_conditions',
    );
    const job = await ports.exports
      .enqueue(principal, {
        widget: { dashboard: dashboard.id, widget: widget.id },
        // The vendor's own tutorial sends `excel` (see openapi.ts `applyErrata`).
        format: request.body.output === 'excel' ? 'xlsx' : request.body.output,
        filters,
      })
      .catch((error: unknown) => {
        // The widget is the path's `id`; filter values are the conditions'.
        throw renameFields(error, (path) =>
          path.startsWith('widget')
            ? 'id'
            : path.startsWith('filters')
              ? 'dashboard_filter_conditions'
              : path,
        );
      });
    return asyncResult(job);
  });

  holisticsRoute<{ Params: { id: number }; Querystring: { include_data_set?: boolean } }>(
    api,
    'QueryReports_Get',
    async (request) => {
      const principal = principalOf(request);
      const { dashboard, widget, id } = await findWidget(ports, principal, request.params.id, 'query report');
      // A text widget has no report.
      if (!widget.query) throw notFound('query report', String(id));
      const report = await shaperOf(ports, request).queryReport(dashboard, widget, id);
      const dataSet =
        request.query.include_data_set && report.data_set_id !== undefined
          ? datasetJson(await findDataset(ports, principal, report.data_set_id), { models: false })
          : undefined;
      return { query_report: { ...report, ...(dataSet && { data_set: dataSet }) } };
    },
  );
}
