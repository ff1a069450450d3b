/**
 * A saved chart's query as a dashboard tile shows it: the dashboard's filters in force, each on
 * the field it targets in that tile, the dashboard's sorts and its date zoom.
 */
import type { FilterNode, Granularity, Model, QuerySort, SavedQuery } from '../query/index.ts';
import { type AppliedFilter, targetField } from './applied-filters.ts';

/**
 * What a tile filter narrows: rows (`filters`, on fields of the model), or result rows on a metric
 * (`metricFilters`) or on a calculation (`postFilters`) of the chart, named by its alias or id.
 */
export type TileFilterStage = 'rows' | 'metrics' | 'calculations';

/** A dashboard filter in force: its definition (field, `tileTargets`) and its rules on its own field. */
export interface TileFilter {
  filter: AppliedFilter['filter'];
  rules: readonly FilterNode[];
  /** Default `rows`. */
  stage?: TileFilterStage;
}

const stageKeys = { rows: 'filters', metrics: 'metricFilters', calculations: 'postFilters' } as const;

/** What a dashboard changes of a tile beside its filters. */
export interface TileView {
  /** Replace the chart's own sorts when not empty. */
  sorts?: readonly QuerySort[];
  /** Date zoom: the first dimension on a date or datetime field is grouped by this period instead. */
  dateZoom?: Granularity;
}

type StoredNode = Record<string, unknown>;

const retargeted = (node: FilterNode, field: string): FilterNode => {
  if ('and' in node) return { and: node.and.map((child) => retargeted(child, field)) };
  if ('or' in node) return { or: node.or.map((child) => retargeted(child, field)) };
  if ('not' in node) return { not: retargeted(node.not, field) };
  return { ...node, field };
};

/** The stored filter tree with each rule on a dashboard-filtered field replaced by that filter's rules. */
function overridden(node: StoredNode, byField: Map<string, FilterNode>, used: Set<string>): StoredNode {
  for (const key of ['and', 'or'] as const) {
    const children = node[key];
    if (Array.isArray(children))
      return { [key]: children.map((child) => overridden(child as StoredNode, byField, used)) };
  }
  if (node.not && typeof node.not === 'object')
    return { not: overridden(node.not as StoredNode, byField, used) };
  const field = typeof node.field === 'string' ? node.field : undefined;
  const replacement = field === undefined ? undefined : byField.get(field);
  if (!replacement || field === undefined) return node;
  used.add(field);
  return replacement as unknown as StoredNode;
}

/** The names of the chart's metrics or calculations, which the filters of those stages name. */
function namesOf(query: SavedQuery, stage: Exclude<TileFilterStage, 'rows'>): Set<string> {
  const list = stage === 'metrics' ? query.metrics : query.post;
  const key = stage === 'metrics' ? 'alias' : 'id';
  return new Set(
    (Array.isArray(list) ? list : []).flatMap((item) => {
      const name = typeof item === 'object' && item !== null ? (item as StoredNode)[key] : undefined;
      return typeof name === 'string' ? [name] : [];
    }),
  );
}

/** The field a filter narrows in the tile, or null when it does not apply there. */
function fieldInTile(tile: TileFilter, widgetId: string, query: SavedQuery, model: Model): string | null {
  const stage = tile.stage ?? 'rows';
  if (stage === 'rows') return targetField(tile.filter, widgetId, model);
  const target = tile.filter.tileTargets?.[widgetId];
  if (target === false) return null;
  const field = target ?? tile.filter.field;
  return namesOf(query, stage).has(field) ? field : null;
}

/** A stored filter tree narrowed by rules per field: in place of the query's own on that field, else and-ed. */
function narrowedTree(own: unknown, byField: Map<string, FilterNode>): unknown {
  const used = new Set<string>();
  const kept = own && typeof own === 'object' ? overridden(own as StoredNode, byField, used) : undefined;
  const added = [...byField].filter(([field]) => !used.has(field)).map(([, node]) => node);
  if (kept && added.length > 0) return { and: [kept, ...added] };
  if (kept) return kept;
  if (added.length > 0) return added.length === 1 ? added[0] : { and: added };
  return undefined;
}

/**
 * The query of a chart shown in tile `widgetId`. A row filter applies where `targetField` says so
 * (switched off for the tile, or a field the data lacks: it does not); a metric or calculation
 * filter where the chart has that metric or calculation. Where the chart's own
 * filters already name the targeted field, the dashboard's rules take the place of the chart's
 * (the reader's choice wins over the saved one); elsewhere they are and-ed. Answers the ids of
 * the filters that applied.
 */
export function tileQuery(
  query: SavedQuery,
  filters: readonly TileFilter[],
  widgetId: string,
  model: Model,
  view: TileView = {},
): { query: SavedQuery; applied: string[] } {
  const byStage = new Map<TileFilterStage, Map<string, FilterNode>>();
  const applied: string[] = [];
  for (const tile of filters) {
    const field = fieldInTile(tile, widgetId, query, model);
    if (field === null || tile.rules.length === 0) continue;
    applied.push(tile.filter.id);
    const nodes = tile.rules.map((rule) => retargeted(rule, field));
    const byField = byStage.get(tile.stage ?? 'rows') ?? new Map<string, FilterNode>();
    byStage.set(tile.stage ?? 'rows', byField);
    const before = byField.get(field);
    const all = before ? [before, ...nodes] : nodes;
    byField.set(field, all.length === 1 ? all[0] : { and: all });
  }
  const narrowed: SavedQuery = { ...query };
  for (const [stage, byField] of byStage) {
    const tree = narrowedTree(query[stageKeys[stage]], byField);
    if (tree !== undefined) narrowed[stageKeys[stage]] = tree;
  }
  if (view.sorts?.length) narrowed.sorts = view.sorts.map((sort) => ({ ...sort }));
  if (view.dateZoom) narrowed.dimensions = zoomed(query.dimensions, view.dateZoom, model);
  return { query: narrowed, applied };
}

function zoomed(dimensions: unknown, granularity: Granularity, model: Model): unknown {
  if (!Array.isArray(dimensions)) return dimensions;
  const isDate = (field: unknown) =>
    model.dimensions.some(
      (d) =>
        (`${d.table}.${d.name}` === field || d.name === field) &&
        (d.type === 'date' || d.type === 'datetime'),
    );
  const at = dimensions.findIndex((d) => isDate(typeof d === 'string' ? d : (d as StoredNode)?.field));
  if (at < 0) return dimensions;
  const dimension = dimensions[at];
  const zoomedOne =
    typeof dimension === 'string' ? { field: dimension, granularity } : { ...dimension, granularity };
  return dimensions.map((d, i) => (i === at ? zoomedOne : d));
}
