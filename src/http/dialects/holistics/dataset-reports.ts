import type { FastifyRequest } from 'fastify';
import type { QueriedSource } from '../../../core/content/index.ts';
import type { Services } from '../../../services.ts';
import { principalOf } from '../../server.ts';
import { shaperOf } from './dashboards.ts';
import type { Dataset } from './dataset-catalog.ts';

/**
 * `include_reports` of `GET /data_sets/{id}`: the query reports (dashboard widgets, shaped as the
 * dashboards part shapes them) that read the dataset, on the dashboards the caller sees.
 */

export type DatasetReportPorts = Pick<Services, 'content' | 'data'>;

export async function datasetReports(ports: DatasetReportPorts, request: FastifyRequest, dataset: Dataset) {
  const principal = principalOf(request);
  const queried: QueriedSource =
    dataset.ref.kind === 'model'
      ? {
          uuid: dataset.source,
          name: dataset.name,
          ...(dataset.projectId !== null && { projectId: dataset.projectId }),
        }
      : { uuid: dataset.source };
  const summaries = await ports.content.dashboards.querying(principal, [queried]);
  const shaper = shaperOf(ports, request);
  const reports = [];
  for (const summary of summaries) {
    const dashboard = await ports.content.dashboards.lookup(principal, summary.id);
    const reading = [];
    for (const widget of dashboard.widgets)
      if (widget.query && (await shaper.datasetOf(widget.query.source))?.dataSetId === dataset.id)
        reading.push(widget);
    if (reading.length === 0) continue;
    const ids = await ports.content.itemIds.idsOf(
      dashboard,
      'widget',
      reading.map((widget) => widget.id),
    );
    for (const widget of reading)
      reports.push(await shaper.queryReport(dashboard, widget, ids.get(widget.id) as number));
  }
  return reports;
}
