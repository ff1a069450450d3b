/** Views: what a dashboard shows, for the screen, embeds, exports and deliveries alike. */
export { variablesOf, viewBody } from './context.ts';
export { filterRules } from './filter-values.ts';
export {
  createViewService,
  type FilterChoices,
  MAX_FILTER_CHOICES,
  type ViewInput,
  type ViewService,
  type WidgetResults,
} from './service.ts';
