import { isRosettaError, renameField, validationError } from '../../../core/errors.ts';
import { isJsonObject, type JsonObject } from '../../../core/input.ts';
import { type SavedQuery, savedQueryOf } from '../../../core/query/index.ts';
import { type Elasticube, fieldsOf } from './elasticubes.ts';
import { levels } from './jaql/levels.ts';
import { jaqlAggregations } from './jaql/measures.ts';
import { planJaql } from './jaql/plan.ts';
import { readJaqlRequest } from './jaql/request.ts';

/**
 * A widget's `metadata.panels[].items[].jaql` as the query its tile runs: the JAQL request a
 * Sisense front end sends for the widget (the filter panel's items as `scope`), planned by the
 * JAQL routes' own planner, so a tile computes what the widget's JAQL answers, formulas and
 * filters included. Errors name the panel item they come from.
 */

const FILTER_PANEL = 'filters';

interface PanelItem {
  jaql: JsonObject;
  panel: string;
  /** `metadata.panels[p].items[i].jaql`, as errors name it. */
  path: string;
}

function panelItems(metadata: unknown, field: string): PanelItem[] {
  if (metadata === undefined || metadata === null) return [];
  if (!isJsonObject(metadata)) throw validationError(field, 'must be an object with `panels`');
  const panels = metadata.panels ?? [];
  if (!Array.isArray(panels)) throw validationError(`${field}.panels`, 'must be an array');
  return panels.flatMap((panel, p) => {
    const path = `${field}.panels[${p}]`;
    if (!isJsonObject(panel)) throw validationError(path, 'must be an object');
    const items = panel.items ?? [];
    if (!Array.isArray(items)) throw validationError(`${path}.items`, 'must be an array');
    return items.flatMap((item, i) => {
      const itemPath = `${path}.items[${i}]`;
      if (!isJsonObject(item) || !isJsonObject(item.jaql))
        throw validationError(`${itemPath}.jaql`, 'must be a JAQL object');
      if (item.disabled === true) return [];
      return [{ jaql: item.jaql, panel: String(panel.name ?? ''), path: `${itemPath}.jaql` }];
    });
  });
}

/** `metadata[3].jaql.dim` of the planned request → the panel item's own path. */
function itemError(error: unknown, items: PanelItem[]): unknown {
  if (!isRosettaError(error) || error.field === undefined) return error;
  const match = /^metadata\[(\d+)\](?:\.jaql)?(.*)$/.exec(error.field);
  const item = match ? items[Number(match[1])] : undefined;
  return item ? renameField(error, `${item.path}${match?.[2] ?? ''}`) : error;
}

/** The tile query of the panels' items on `cube`, or null when the panels select nothing. */
export function widgetQueryOf(
  cube: Elasticube,
  metadata: unknown,
  field: string,
  options: {
    maxRows: number /** A pivot widget: its `columns` panel spreads into columns. */;
    pivot: boolean;
  },
): SavedQuery | null {
  const items = panelItems(metadata, field);
  if (!items.some((item) => item.panel !== FILTER_PANEL)) return null;
  try {
    const request = readJaqlRequest({
      datasource: { title: cube.title },
      metadata: items.map(({ jaql, panel }) => ({ jaql, panel: panel === FILTER_PANEL ? 'scope' : panel })),
    });
    const { ir } = planJaql(cube, request, options.maxRows, { pivot: options.pivot });
    // A tile reads as many rows as the server allows, not the face's cap at save time.
    const { limit: _, ...unlimited } = ir;
    return savedQueryOf(cube.source, unlimited);
  } catch (error) {
    throw itemError(error, items);
  }
}

/**
 * The series of a planned tile query that are the planner's helpers (formula parts, `by`
 * measures: `jaql_h<n>`), not widget items: hidden when the tile is drawn.
 */
export function helperSeries(query: SavedQuery | null): string[] {
  const metrics = Array.isArray(query?.metrics) ? query.metrics : [];
  return metrics.flatMap((metric) => {
    const name = isJsonObject(metric) ? (metric.alias ?? metric.name) : undefined;
    return typeof name === 'string' && name.startsWith('jaql_h') ? [name] : [];
  });
}

const reverseAggregations = Object.fromEntries(
  Object.entries(jaqlAggregations).map(([agg, aggregation]) => [aggregation, agg]),
);

const levelOf = Object.fromEntries(Object.entries(levels).map(([level, period]) => [period, level]));

/**
 * Panels for a tile made elsewhere (the native API, another face): its query's dimensions in the
 * `categories` panel and its metrics in `values`, addressed as the cube addresses them.
 */
export function panelsOfQuery(cube: Elasticube | undefined, query: SavedQuery | null): JsonObject[] {
  if (!cube || !query) return [];
  const byAddress = new Map(fieldsOf(cube).map((cubeField) => [cubeField.modelAddress, cubeField]));
  const jaqlOf = (address: unknown): JsonObject | undefined => {
    const found = byAddress.get(String(address)) ?? [...byAddress.values()].find((f) => f.column === address);
    return (
      found && {
        dim: found.id,
        datatype: found.dimtype,
        title: found.title,
        table: found.table,
        column: found.column,
      }
    );
  };
  const dimensions = (Array.isArray(query.dimensions) ? query.dimensions : []).flatMap((dimension) => {
    const jaql = jaqlOf(isJsonObject(dimension) ? dimension.field : dimension);
    const level = isJsonObject(dimension) ? levelOf[String(dimension.granularity)] : undefined;
    return jaql ? [{ jaql: { ...jaql, ...(level && { level }) } }] : [];
  });
  const metrics = (Array.isArray(query.metrics) ? query.metrics : []).flatMap((metric) => {
    if (!isJsonObject(metric)) return [];
    const jaql = jaqlOf(metric.field ?? metric.metric);
    const agg = reverseAggregations[String(metric.aggregation)];
    return jaql ? [{ jaql: { ...jaql, ...(agg && { agg }) } }] : [];
  });
  return [
    { name: 'categories', items: dimensions },
    { name: 'values', items: metrics },
    { name: FILTER_PANEL, items: [] },
  ];
}
