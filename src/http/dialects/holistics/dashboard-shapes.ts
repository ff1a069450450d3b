import { can, type Principal } from '../../../core/auth/index.ts';
import type { Dashboard, DashboardFilter, VisualizationType, Widget } from '../../../core/content/index.ts';
import { isRosettaError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { datasetIdOf } from './dataset-ids.ts';
import { defaultCondition } from './filter-conditions.ts';

export type DashboardPorts = Pick<Services, 'content' | 'data'>;

/** Holistics' `VizType` of a Rosetta visualization (vertical bars: `column_chart`). */
const vizTypes: Record<VisualizationType, string> = {
  table: 'data_table',
  bar: 'column_chart',
  stacked_bar: 'column_chart',
  line: 'line_chart',
  area: 'area_chart',
  pie: 'pie_chart',
  donut: 'pie_chart',
  scatter: 'scatter_chart',
  kpi: 'metric_kpi',
  pivot: 'pivot_table',
  text: 'data_table',
};

/** Holistics' bars are horizontal (`bar_chart`), its columns vertical (`column_chart`). */
const vizTypeOf = ({ type, options }: Widget['visualization']): string =>
  (type === 'bar' || type === 'stacked_bar') && options.horizontal === true ? 'bar_chart' : vizTypes[type];

/** The dataset a widget's query reads and its data source (the connection), as far as the caller may see. */
interface DatasetOfWidget {
  dataSetId: number;
  dataSourceId: number;
}

/**
 * What one answer needs to shape dashboards for one caller: the integer ids of widgets and
 * filters, the datasets widgets read (looked up once each), and the web app's base URL.
 */
export class DashboardShaper {
  private readonly datasets = new Map<string, Promise<DatasetOfWidget | undefined>>();

  constructor(
    private readonly ports: DashboardPorts,
    private readonly principal: Principal,
    /** The web app's origin (`https://host`), dashboards' URLs are under it. */
    private readonly site: string,
  ) {}

  dashboardUrl(dashboard: Pick<Dashboard, 'id'>): string {
    return `${this.site}/dashboards/${dashboard.id}`;
  }

  /** `Dashboard`: its name is the `title`; `category_id` is its folder's id. */
  async dashboard(dashboard: Dashboard, options: { embedInfo?: boolean } = {}) {
    const widgetIds = await this.ports.content.itemIds.idsOf(
      dashboard,
      'widget',
      dashboard.widgets.map((widget) => widget.id),
    );
    const widgets = dashboard.widgets.map((widget) =>
      this.widgetFields(widget, widgetIds.get(widget.id) as number),
    );
    return {
      id: dashboard.id,
      owner_id: dashboard.ownerId,
      title: dashboard.name,
      ...(dashboard.folderId !== null && { category_id: dashboard.folderId }),
      version: 3,
      dynamic_filters: await this.dynamicFilters(dashboard, widgetIds),
      widgets,
      url: this.dashboardUrl(dashboard),
      tags: dashboard.tags,
      // Rosetta's embeds are links with a token each, not a dashboard-wide code and secret.
      ...(options.embedInfo && { embed_info: null }),
    };
  }

  /** `DashboardWidget`, with the parts its `include_*` parameters ask for. */
  async widget(
    dashboard: Dashboard,
    widget: Widget,
    id: number,
    include: { dashboard?: boolean; report?: boolean; url?: boolean } = {},
  ) {
    return {
      ...this.widgetFields(widget, id),
      ...(include.url && { url: `${this.dashboardUrl(dashboard)}?_e=${id}` }),
      ...(include.dashboard && { dashboard: await this.dashboard(dashboard) }),
      ...(include.report && widget.query && { query_report: await this.queryReport(dashboard, widget, id) }),
    };
  }

  /** `QueryReport`: a data widget's chart (its id is the widget's). */
  async queryReport(dashboard: Dashboard, widget: Widget, id: number) {
    const dataset = widget.query ? await this.datasetOf(widget.query.source) : undefined;
    const { query, visualization } = widget;
    return {
      id,
      title: widget.title,
      ...(dataset && { data_set_id: dataset.dataSetId, data_source_id: dataset.dataSourceId }),
      viz_setting: {
        viz_type: vizTypeOf(visualization),
        ...(dataset && { source_id: dataset.dataSetId }),
        fields: {
          dimensions: query?.dimensions ?? [],
          metrics: query?.metrics ?? [],
        },
        settings: visualization.options,
        format: {},
        filters: query?.filters ? [query.filters as Record<string, unknown>] : [],
      },
      owner_id: dashboard.ownerId,
      ...(dashboard.folderId !== null && { category_id: dashboard.folderId }),
      is_adhoc: false,
    };
  }

  /** The dataset id a widget's query names: a data source's (offset) or a model's. */
  datasetOf(source: string): Promise<DatasetOfWidget | undefined> {
    let found = this.datasets.get(source);
    if (!found) {
      found = this.lookupDataset(source);
      this.datasets.set(source, found);
    }
    return found;
  }

  private async lookupDataset(source: string): Promise<DatasetOfWidget | undefined> {
    const { sources, models } = this.ports.data;
    try {
      const dataSource = await sources.findVisible(this.principal, source);
      if (dataSource)
        return {
          dataSetId: datasetIdOf({ kind: 'source', id: dataSource.id }),
          dataSourceId: dataSource.connectionId,
        };
      const model = await models.get(this.principal, source);
      return { dataSetId: datasetIdOf({ kind: 'model', id: model.id }), dataSourceId: model.connectionId };
    } catch (error) {
      // A widget over a dataset the caller may not read shows without one, as Holistics shows it.
      if (isRosettaError(error) && ['ERR_NOT_FOUND', 'ERR_FORBIDDEN'].includes(error.code)) return undefined;
      throw error;
    }
  }

  private widgetFields(widget: Widget, id: number) {
    const exportable = can(this.principal, 'dashboard.export');
    return {
      id,
      source_id: id,
      source_type: widget.query ? 'QueryReport' : 'Text',
      source_title: widget.title,
      permissions: {
        can_explore: can(this.principal, 'query.adhoc'),
        can_export: exportable,
        can_export_data: exportable,
      },
    };
  }

  /** `DynamicFilter`s: a filter's integer id works in conditions, states and presets; its uname is its own id. */
  private async dynamicFilters(dashboard: Dashboard, widgetIds: Map<string, number>) {
    const filterIds = await this.ports.content.itemIds.idsOf(
      dashboard,
      'filter',
      dashboard.filters.map((filter) => filter.id),
    );
    const editable = can(this.principal, 'dashboard.edit');
    return dashboard.filters.map((filter, order) => {
      const id = filterIds.get(filter.id) as number;
      const condition = defaultCondition(filter);
      return {
        id,
        order,
        uname: filter.id,
        permissions: { read: true, crud: editable, use: true },
        definition: {
          id,
          label: filter.label,
          filter_type: filterTypeOf(filter),
          input_type: filter.type === 'values' ? 'multi_operator' : null,
          is_sharable: true,
          ...(condition && { default_condition: condition }),
        },
        drillthrough_enabled: false,
        mappings: dashboard.widgets
          .filter((widget) => widget.query && filter.tileTargets?.[widget.id] !== false)
          .map((widget) => ({
            viz_conditionable_id: widgetIds.get(widget.id) as number,
            viz_conditionable_type: 'DashboardWidget',
            field_path: {
              field_name: (filter.tileTargets?.[widget.id] as string | undefined) ?? filter.field,
            },
            permissions: { crud: editable },
          })),
      };
    });
  }
}

function filterTypeOf(filter: DashboardFilter): string {
  if (filter.type === 'date_range') return 'date';
  return filter.type === 'number_range' ? 'number' : 'string';
}
