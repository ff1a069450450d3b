/** Views: what a dashboard shows, for the screen, embeds, exports and deliveries alike. */

export {
  type AppliedFilter,
  dashboardFilters,
  defaultValueOf,
  targetField,
} from './applied-filters.ts';
export { variablesOf, viewBody } from './context.ts';
export { type FilterSummary, filtersLine } from './filter-text.ts';
export { filterRules } from './filter-values.ts';
export {
  createDashboardPreloads,
  type DashboardPreloads,
  PRELOAD_JOB_TYPE,
  type PreloadInput,
  type PreloadResult,
} from './preload.ts';
export {
  type ChartViewInput,
  createViewService,
  type FilterChoices,
  MAX_FILTER_CHOICES,
  type ViewInput,
  type ViewService,
  type WidgetResults,
} from './service.ts';
export { type TileFilter, type TileView, tileQuery } from './tile-query.ts';
export { requestedFilters, scheduledFilters, type ViewFilters } from './view-filters.ts';
