import type { FilterNode, FilterRule, QueryIr, QueryMetric } from './ir.ts';

/**
 * The one stored query type: a native query body kept as JSON, as widgets, saved charts,
 * schedules, alerts and exports keep it. It is validated against its model each time it runs (a
 * model may change after the query was saved), so storing it only needs a `source`.
 */
export interface SavedQuery {
  source: string;
  [key: string]: unknown;
}

/**
 * The one way to narrow a stored query: rules (dashboard filters, a schedule's own rules)
 * `and`-ed to the query's own filters. Every view, export, delivery and alert goes through it,
 * so a dashboard filter means the same on screen, in files and in emails.
 */
export function andFilters<Body extends Record<string, unknown>>(
  body: Body,
  rules: readonly FilterNode[],
): Body {
  if (rules.length === 0) return body;
  const own = body.filters as FilterNode | undefined | null;
  return { ...body, filters: { and: own ? [own, ...rules] : [...rules] } };
}

/**
 * Whether a stored query carries SQL of its own (`calculations[].sql`, `metrics[].sql`), read off
 * the raw JSON so that a body that does not parse yet is judged too.
 */
export function savedQueryHoldsSql(query: unknown): boolean {
  if (typeof query !== 'object' || query === null) return false;
  const { calculations, metrics } = query as Record<string, unknown>;
  const withSql = (list: unknown): boolean =>
    Array.isArray(list) && list.some((item) => typeof item === 'object' && item !== null && 'sql' in item);
  return withSql(calculations) || withSql(metrics);
}

/**
 * The stored query of an IR a face planned (the inverse of `parseQueryBody`), so what a face's own
 * query language saves runs on every screen, export and delivery like any stored query.
 */
export function savedQueryOf(source: string, ir: QueryIr): SavedQuery {
  return JSON.parse(
    JSON.stringify({
      source,
      ...ir,
      metrics: ir.metrics.map(metricBody),
      ...(ir.filters && { filters: filterBody(ir.filters) }),
      ...(ir.metricFilters && { metricFilters: filterBody(ir.metricFilters) }),
      ...(ir.postFilters && { postFilters: filterBody(ir.postFilters) }),
    }),
  ) as SavedQuery;
}

function metricBody({ kind: _, ...metric }: QueryMetric): Record<string, unknown> {
  return 'filters' in metric && metric.filters ? { ...metric, filters: filterBody(metric.filters) } : metric;
}

/** A rule's attribute travels among its values as `{"attribute": name}`. */
function filterBody(node: FilterNode): unknown {
  if ('and' in node) return { and: node.and.map(filterBody) };
  if ('or' in node) return { or: node.or.map(filterBody) };
  if ('not' in node) return { not: filterBody(node.not) };
  const { attribute, ...rule }: FilterRule = node;
  return attribute === undefined ? rule : { ...rule, values: [...rule.values, { attribute }] };
}
