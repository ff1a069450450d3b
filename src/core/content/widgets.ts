import { randomUUID } from 'node:crypto';
import { notFound, validationError } from '../errors.ts';
import type { JsonObject } from '../input.ts';
import { dimensionName, type QueryDimension } from '../query/ir.ts';
import { applyWidgetFields } from './dashboard-input.ts';
import { completeLayout, type LayoutCell } from './layout.ts';
import type { DashboardContent, LayoutItem, Widget, WidgetQuery } from './types.ts';

/** Pure edits of a dashboard's widgets; each returns new content with a complete layout. */

export type PlacedWidget = Widget & { layout: LayoutCell };

export function placed(content: DashboardContent, widgetId: string): PlacedWidget {
  const widget = content.widgets.find((w) => w.id === widgetId)!;
  const { widgetId: _, ...cell } = content.layout.find((item) => item.widgetId === widgetId)!;
  return { ...widget, layout: cell };
}

export function withWidgetAdded(
  content: DashboardContent,
  widget: Widget,
  cell?: LayoutCell,
): DashboardContent {
  if (content.widgets.some((w) => w.id === widget.id))
    throw validationError('id', `duplicate widget id ${widget.id}`);
  const widgets = [...content.widgets, widget];
  const layout = cell ? [...content.layout, { widgetId: widget.id, ...cell }] : content.layout;
  return { ...content, widgets, layout: completeLayout(widgets, layout, false) };
}

/** Merges the body's top-level keys (title, query, visualization) into the widget; `cell` moves it. */
export function withWidgetUpdated(
  content: DashboardContent,
  widgetId: string,
  body: JsonObject,
  cell?: LayoutCell,
): DashboardContent {
  const current = content.widgets.find((w) => w.id === widgetId);
  if (!current) throw notFound('widget', widgetId);
  const widget: Widget = { ...current };
  applyWidgetFields('', widget, body);
  const widgets = content.widgets.map((w) => (w.id === widgetId ? widget : w));
  const layout = cell
    ? content.layout.map((item) => (item.widgetId === widgetId ? { widgetId, ...cell } : item))
    : content.layout;
  return { ...content, widgets, layout: completeLayout(widgets, layout, false) };
}

export function withWidgetRemoved(content: DashboardContent, widgetId: string): DashboardContent {
  if (!content.widgets.some((w) => w.id === widgetId)) throw notFound('widget', widgetId);
  return {
    ...content,
    widgets: content.widgets.filter((w) => w.id !== widgetId),
    layout: content.layout.filter((item) => item.widgetId !== widgetId),
  };
}

/** A deep copy whose widgets have fresh ids (filters target them by their new ids), so a clone shares nothing with its original. */
export function withFreshWidgetIds(content: DashboardContent): DashboardContent {
  const copy = structuredClone(content);
  const renamed = new Map(copy.widgets.map((w) => [w.id, randomUUID()]));
  copy.widgets = copy.widgets.map((w) => ({ ...w, id: renamed.get(w.id)! }));
  copy.layout = copy.layout.map((item): LayoutItem => ({ ...item, widgetId: renamed.get(item.widgetId)! }));
  for (const filter of copy.filters) {
    if (!filter.tileTargets) continue;
    filter.tileTargets = Object.fromEntries(
      Object.entries(filter.tileTargets).map(([widgetId, target]) => [
        renamed.get(widgetId) ?? widgetId,
        target,
      ]),
    );
  }
  return copy;
}

/**
 * The query a widget draws. A `pivot` widget saved before queries could pivot (no `pivot` in its
 * query) draws its first dimension down and its second across, with totals from the warehouse,
 * so no reader adds its cells up (a sum of averages is no average).
 */
export function drawnQuery(widget: Pick<Widget, 'query' | 'visualization'>): WidgetQuery | null {
  const { query, visualization } = widget;
  if (!query || visualization.type !== 'pivot' || query.pivot !== undefined) return query;
  const dimensions = Array.isArray(query.dimensions) ? (query.dimensions as unknown[]) : [];
  const across = dimensions[1];
  if (across === undefined) return query;
  const dimension = (typeof across === 'string' ? { field: across } : across) as QueryDimension;
  return { ...query, pivot: { columns: [dimensionName(dimension)] }, totals: query.totals ?? true };
}
