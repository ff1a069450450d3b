import type { Principal } from '../auth/principal.ts';
import type { DashboardInput } from './dashboard-input.ts';
import type { ContentService } from './index.ts';
import type { Dashboard } from './types.ts';

export const DEMO_DASHBOARD_NAME = 'Demo sales';

/**
 * The dashboard of the demo data set (`demo_sales`: date, country, category, subcategory,
 * quantity, price, cost_of_goods). Created once: an existing dashboard of that name is returned.
 */
export async function createDemoDashboard(
  content: ContentService,
  principal: Principal,
  options: { dataSourceUuid: string },
): Promise<Dashboard> {
  const existing = await content.dashboards.findByName(principal, DEMO_DASHBOARD_NAME);
  return existing ?? content.dashboards.create(principal, demoDashboard(options.dataSourceUuid));
}

function demoDashboard(source: string): DashboardInput {
  const query = (fields: Partial<Record<'dimensions' | 'metrics' | 'sorts', unknown[]>>) => ({
    source,
    dimensions: [],
    metrics: [],
    sorts: [],
    limit: 500,
    ...fields,
  });
  const sum = (field: string) => ({ field, aggregation: 'sum' });
  return {
    name: DEMO_DASHBOARD_NAME,
    description: 'Units sold and revenue of the demo shop, by country, month and category.',
    tags: ['demo'],
    widgets: [
      {
        id: 'units-sold',
        title: 'Units sold',
        query: query({ metrics: [sum('quantity')] }),
        visualization: { type: 'kpi', options: { format: 'integer' } },
      },
      {
        id: 'revenue-by-country',
        title: 'Revenue by country',
        query: query({
          dimensions: ['country'],
          metrics: [sum('price')],
          sorts: [{ field: 'sum_price', descending: true }],
        }),
        visualization: { type: 'bar', options: { x: 'country', y: ['sum_price'] } },
      },
      {
        id: 'units-by-month',
        title: 'Units sold per month',
        query: query({
          dimensions: [{ field: 'date', granularity: 'month' }],
          metrics: [sum('quantity')],
          sorts: [{ field: 'date_month' }],
        }),
        visualization: { type: 'line', options: { x: 'date_month', y: ['sum_quantity'] } },
      },
      {
        id: 'sales-by-category',
        title: 'Sales by category',
        query: query({
          dimensions: ['category', 'subcategory'],
          metrics: [sum('quantity'), sum('price'), sum('cost_of_goods')],
          sorts: [{ field: 'category' }, { field: 'subcategory' }],
        }),
        visualization: { type: 'table', options: {} },
      },
    ],
    filters: [
      { id: 'date', field: 'date', label: 'Date', type: 'date_range' },
      { id: 'country', field: 'country', label: 'Country', type: 'values' },
    ],
    layout: [
      { widgetId: 'units-sold', x: 0, y: 0, w: 3, h: 4 },
      { widgetId: 'revenue-by-country', x: 3, y: 0, w: 9, h: 4 },
      { widgetId: 'units-by-month', x: 0, y: 4, w: 12, h: 4 },
      { widgetId: 'sales-by-category', x: 0, y: 8, w: 12, h: 6 },
    ],
  };
}
