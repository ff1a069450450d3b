import type { Principal } from '../auth/principal.ts';
import type { DashboardInput } from './dashboard-input.ts';
import type { ContentService } from './index.ts';
import type { Dashboard } from './types.ts';

export const DEMO_DASHBOARD_NAME = 'Demo sales';

/**
 * The dashboard of the demo data set (`demo_sales`: date, country, category, subcategory,
 * quantity, price, cost_of_goods). `price` and `cost_of_goods` are per unit, so revenue and cost
 * are sums of row-level products (calculated fields), and margin is their difference. Created
 * once: an existing dashboard of that name is returned.
 */
export async function createDemoDashboard(
  content: ContentService,
  principal: Principal,
  options: { dataSourceUuid: string },
): Promise<Dashboard> {
  const existing = await content.dashboards.findByName(principal, DEMO_DASHBOARD_NAME);
  return existing ?? content.dashboards.create(principal, demoDashboard(options.dataSourceUuid));
}

/** Amounts of one line, from the unit `price` and `cost_of_goods`. */
const lineRevenue = { name: 'line_revenue', formula: 'price * quantity' };
const lineCost = { name: 'line_cost', formula: 'cost_of_goods * quantity' };
const lineMargin = { name: 'line_margin', formula: '(price - cost_of_goods) * quantity' };
const revenue = { field: 'line_revenue', aggregation: 'sum', alias: 'revenue' };
const margin = { field: 'line_margin', aggregation: 'sum', alias: 'margin' };

function demoDashboard(source: string): DashboardInput {
  const query = (
    fields: Partial<Record<'calculations' | 'dimensions' | 'metrics' | 'sorts', unknown[]>> & {
      limit?: number;
    },
  ) => ({
    source,
    dimensions: [],
    metrics: [],
    sorts: [],
    limit: 500,
    ...fields,
  });
  /** A KPI of the latest year in the filtered range, with its change over the year before. */
  const latestYear = (calculation: typeof lineRevenue, metric: typeof revenue) =>
    query({
      calculations: [calculation],
      dimensions: [{ field: 'date', granularity: 'year' }],
      metrics: [metric],
      sorts: [{ field: 'date_year', descending: true }],
      limit: 2,
    });
  return {
    name: DEMO_DASHBOARD_NAME,
    description:
      'Units, revenue (price × quantity) and margin ((price − cost of goods) × quantity) of the demo shop, by country, month and category.',
    tags: ['demo'],
    widgets: [
      {
        id: 'units-sold',
        title: 'Units sold',
        query: query({ metrics: [{ field: 'quantity', aggregation: 'sum' }] }),
        visualization: { type: 'kpi', options: { format: 'integer' } },
      },
      {
        id: 'revenue-latest-year',
        title: 'Revenue, latest year',
        query: latestYear(lineRevenue, revenue),
        visualization: { type: 'kpi', options: { value: 'revenue', format: 'compact' } },
      },
      {
        id: 'margin-latest-year',
        title: 'Margin, latest year',
        query: latestYear(lineMargin, margin),
        visualization: { type: 'kpi', options: { value: 'margin', format: 'compact' } },
      },
      {
        id: 'revenue-by-month',
        title: 'Revenue per month, by category',
        query: query({
          calculations: [lineRevenue],
          dimensions: [{ field: 'date', granularity: 'month' }, 'category'],
          metrics: [revenue],
          sorts: [{ field: 'date_month' }, { field: 'category' }],
        }),
        visualization: {
          type: 'line',
          options: { x: 'date_month', y: ['revenue'], series: 'category' },
        },
      },
      {
        id: 'revenue-by-country',
        title: 'Revenue by country',
        query: query({
          calculations: [lineRevenue],
          dimensions: ['country'],
          metrics: [revenue],
          sorts: [{ field: 'revenue', descending: true }],
        }),
        visualization: { type: 'bar', options: { x: 'country', y: ['revenue'], horizontal: true } },
      },
      {
        id: 'sales-by-category',
        title: 'Sales by category',
        query: query({
          calculations: [lineRevenue, lineCost, lineMargin],
          dimensions: ['category', 'subcategory'],
          metrics: [
            { field: 'quantity', aggregation: 'sum', alias: 'units' },
            revenue,
            { field: 'line_cost', aggregation: 'sum', alias: 'cost' },
            margin,
          ],
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
      { widgetId: 'units-sold', x: 0, y: 0, w: 4, h: 3 },
      { widgetId: 'revenue-latest-year', x: 4, y: 0, w: 4, h: 3 },
      { widgetId: 'margin-latest-year', x: 8, y: 0, w: 4, h: 3 },
      { widgetId: 'revenue-by-month', x: 0, y: 3, w: 8, h: 10 },
      { widgetId: 'revenue-by-country', x: 8, y: 3, w: 4, h: 10 },
      { widgetId: 'sales-by-category', x: 0, y: 13, w: 12, h: 9 },
    ],
  };
}
