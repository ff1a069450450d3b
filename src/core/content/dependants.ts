import { resolveChartTiles } from './charts-tiles.ts';
import type * as repo from './repo.ts';
import type { DashboardSummary } from './types.ts';

/**
 * A data source or model as widget queries name it: always by uuid; a model also by its name,
 * which resolves to it in its own project.
 */
export interface QueriedSource {
  uuid: string;
  name?: string;
  projectId?: number;
}

const READ_CHUNK = 200;

/**
 * Which of the dashboards (summaries the caller may see) have a widget querying one of `sources`;
 * a chart tile queries what its chart queries now. For "what depends on this model" answers.
 */
export async function dashboardsQuerying(
  db: repo.Db,
  organizationId: number,
  visible: readonly DashboardSummary[],
  sources: readonly QueriedSource[],
): Promise<DashboardSummary[]> {
  if (sources.length === 0 || visible.length === 0) return [];
  const byUuid = new Set(sources.map((source) => source.uuid));
  const named = sources.filter((source) => source.name !== undefined);
  const names = (source: string, projectId: number) =>
    byUuid.has(source) || named.some((target) => target.name === source && target.projectId === projectId);
  const matching = new Set<number>();
  for (let start = 0; start < visible.length; start += READ_CHUNK) {
    const ids = visible.slice(start, start + READ_CHUNK).map((summary) => summary.id);
    const rows = await db
      .selectFrom('dashboards')
      .select(['id', 'project_id', 'definition'])
      .where('organization_id', '=', organizationId)
      .where('id', 'in', ids)
      .execute();
    for (const row of rows) {
      const { widgets } = JSON.parse(row.definition) as Pick<repo.Definition, 'widgets'>;
      const shown = await resolveChartTiles(db, organizationId, widgets);
      if (shown.some((widget) => widget.query && names(widget.query.source, row.project_id)))
        matching.add(row.id);
    }
  }
  return visible.filter((summary) => matching.has(summary.id));
}
