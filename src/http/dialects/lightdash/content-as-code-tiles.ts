import { type Static, Type } from 'typebox';
import { validationError } from '../../../core/errors.ts';
import { slugOf } from './content-context.ts';
import { type DashboardFilters, DashboardTileSchema, type dashboardJson } from './dashboards.ts';

/**
 * The tiles, tabs and filters of `DashboardAsCode` (Lightdash's `dashboard-as-code-1.0.json`):
 * what a download writes, so that it validates, and what an upload may send beside the face's own
 * `Dashboard` shapes (tabs and tiles named by slug, as Lightdash's newer downloads do).
 */

/**
 * Dashboard filters as code files hold them: dimension rules without ids (an upload gives them
 * new ones); metric and table-calculation rules keep theirs, which Lightdash's schema requires.
 */
export const filtersWithoutIds = (filters: DashboardFilters) => ({
  dimensions: filters.dimensions.map(({ id: _, ...rule }) => rule),
  metrics: filters.metrics,
  tableCalculations: filters.tableCalculations,
});

/** The tile properties `DashboardTileAsCode` has for each tile type; a code file holds no others. */
const codeTileProperties: Record<string, string[]> = {
  saved_chart: ['title', 'hideTitle', 'chartSlug'],
  sql_chart: ['title', 'hideTitle', 'chartName', 'chartSlug'],
  markdown: ['title', 'content', 'hideFrame'],
  loom: ['title', 'url', 'hideTitle'],
};

/** Properties the schema requires of a type, as text: an absent one is empty. */
const requiredText: Record<string, string[]> = { markdown: ['title', 'content'], loom: ['title', 'url'] };

const textOf = (value: unknown) => (typeof value === 'string' ? value : '');

type JsonTile = Awaited<ReturnType<typeof dashboardJson>>['tiles'][number];

/**
 * A tile as a code file holds it: a chart tile names its chart by slug (null for a tile showing no
 * saved chart), and the properties are the ones the schema of the tile's type has.
 */
export function codeTileOf(tile: JsonTile, slugOfChart: Map<string, string>) {
  const properties: Record<string, unknown> = tile.properties;
  const picked: Record<string, unknown> = {};
  for (const key of codeTileProperties[tile.type] ?? Object.keys(properties))
    if (properties[key] !== undefined) picked[key] = properties[key];
  if (tile.type === 'saved_chart') {
    const uuid = properties.savedChartUuid;
    picked.chartSlug = (typeof uuid === 'string' && slugOfChart.get(uuid)) || null;
  }
  if (tile.type === 'sql_chart') {
    picked.chartName = typeof picked.chartName === 'string' ? picked.chartName : textOf(properties.title);
    picked.chartSlug = typeof picked.chartSlug === 'string' ? picked.chartSlug : null;
  }
  for (const key of requiredText[tile.type] ?? []) picked[key] = textOf(picked[key]);
  return { ...tile, properties: picked };
}

/** A tab of a code file: by `uuid` (older downloads) or by `slug` (newer ones). */
export const CodeTabSchema = Type.Object({
  uuid: Type.Optional(Type.String()),
  slug: Type.Optional(Type.String()),
  name: Type.String(),
  order: Type.Number(),
  hidden: Type.Optional(Type.Boolean()),
});
export const CodeTileSchema = Type.Object({
  ...DashboardTileSchema.properties,
  tabSlug: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  tileSlug: Type.Optional(Type.String()),
});
type CodeTab = Static<typeof CodeTabSchema>;
type CodeTile = Static<typeof CodeTileSchema>;

/** What `DashboardTileSchema` takes as a tile uuid. */
const TILE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The tabs and tiles of a code file as the face stores them: a tab or tile known by slug only
 * gets the slug as its uuid (the same on every upload, so an unchanged file stays unchanged), and
 * a tile placed by `tabSlug` goes to that tab.
 */
export function tabsAndTilesOfCode(codeTabs: CodeTab[], codeTiles: CodeTile[]) {
  const tabs = codeTabs.map((tab) => ({
    uuid: tab.uuid ?? tab.slug ?? slugOf(tab.name),
    name: tab.name,
    order: tab.order,
  }));
  const tiles = codeTiles.map(({ tabSlug, tileSlug, ...code }, index) => {
    const uuid = code.uuid ?? (tileSlug && TILE_ID.test(tileSlug) ? tileSlug : undefined);
    const tile = { ...code, ...(uuid && { uuid }) };
    if (tile.tabUuid || !tabSlug) return tile;
    const at = codeTabs.findIndex((tab) => (tab.slug ?? slugOf(tab.name)) === tabSlug);
    if (at < 0)
      throw validationError(`tiles[${index}].tabSlug`, `no tab ${JSON.stringify(tabSlug)} in the file`);
    return { ...tile, tabUuid: tabs[at].uuid };
  });
  return { tabs, tiles };
}
