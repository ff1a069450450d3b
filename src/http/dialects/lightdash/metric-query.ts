import type { Principal } from '../../../core/auth/index.ts';
import type { Project } from '../../../core/directory/index.ts';
import { isRosettaError, renameField, validationError } from '../../../core/errors.ts';
import type {
  Granularity,
  Model,
  QueryDimension,
  QueryIr,
  QueryRunResult,
} from '../../../core/query/index.ts';
import type { Services } from '../../../services.ts';
import { fieldIdReader, lightdashFieldId } from '../../kit/index.ts';
import {
  additionalMetricIr,
  type CustomScope,
  customDimensionIr,
  customDimensionType,
} from './custom-fields.ts';
import {
  type DimensionType,
  type Explore,
  type ExploreField,
  fieldJson,
  findExplore,
  intervalGranularity,
  type TimeInterval,
} from './explores.ts';
import { filterTree, unknownField } from './metric-filters.ts';
import type { MetricQuery } from './metric-query-schema.ts';
import { type QueryResults, queryResults, type SelectedField } from './results.ts';
import { calculationFormula } from './table-calculations.ts';

export { type MetricQuery, MetricQuerySchema } from './metric-query-schema.ts';

/**
 * Lightdash's MetricQuery (spec §2.0.3, §3.4, §3.5) → the query core's IR, and its run. Every
 * result column is named by its Lightdash id (dimensions and metrics through `alias`, table
 * calculations as post formulas, custom dimensions by their id), so rows and sorts need no second
 * mapping. Only shapes are mapped: fields, operators against types, limits and permissions are
 * the core's to check.
 */

export interface PlanOptions {
  /** The server maximum of `limit` (health's `query.maxLimit`). */
  maxLimit: number;
  /** Underlying data: plain rows, the query's timezone and date zoom ignored (spec §2.6). */
  underlying?: boolean;
  rangeOf?: CustomScope['rangeOf'];
}

export interface PlannedQuery {
  ir: QueryIr;
  /** The result columns the answer shows, in Lightdash's order, with their `fields` entries. */
  selected: SelectedField[];
  /** Core paths (`post[0]`) → the MetricQuery's (`tableCalculations[0].sql`), to rename core errors. */
  paths: Array<[string, string]>;
}

/** The MetricQuery as IR; throws 400s named on the MetricQuery's paths. */
export async function planMetricQuery(
  explore: Explore,
  query: MetricQuery,
  options: PlanOptions,
): Promise<PlannedQuery> {
  const byId = new Map(explore.fields.map((field) => [field.id, field]));
  const tableOf = new Map(explore.tables.map((table) => [table.name, table]));
  const readId = fieldIdReader(
    'lightdash',
    explore.fields.map((field) => ({ table: field.table, field: field.name })),
  );
  const lookup = (id: unknown, path: string): ExploreField | undefined => {
    const ref = readId(id, path);
    return ref && byId.get(lightdashFieldId(ref));
  };
  const additional = new Map(
    (query.additionalMetrics ?? []).map((metric, i) => [
      lightdashFieldId({ table: metric.table, field: metric.name }),
      { metric, path: `additionalMetrics[${i}]` },
    ]),
  );
  const custom = new Map(
    (query.customDimensions ?? []).map((dimension, i) => [dimension.id, { dimension, i }]),
  );
  const calculations = new Map(
    (query.tableCalculations ?? []).map((calculation) => [calculation.name, calculation]),
  );
  const ir: QueryIr = { dimensions: [], metrics: [], sorts: [], offset: 0, aggregate: true };
  const selected: SelectedField[] = [];
  const paths: Array<[string, string]> = [];

  checkLimit(query.limit, options.maxLimit);
  if (query.limit !== undefined) ir.limit = query.limit;
  if (!options.underlying && query.timezone !== undefined) ir.timezone = query.timezone;
  const zoom = options.underlying ? undefined : query.granularity;
  let zoomed = false;

  for (const [i, id] of query.dimensions.entries()) {
    const path = `dimensions[${i}]`;
    const customDimension = custom.get(id);
    if (customDimension) {
      paths.push([`dimensions[${ir.dimensions.length}]`, `customDimensions[${customDimension.i}]`]);
      ir.dimensions.push(
        await customDimensionIr(customDimension.dimension, `customDimensions[${customDimension.i}]`, {
          lookup,
          explore,
          ir,
          rangeOf: options.rangeOf,
        }),
      );
      selected.push({
        id,
        kind: 'dimension',
        type: customDimensionType(customDimension.dimension),
        item: customDimension.dimension,
      });
      continue;
    }
    const field = lookup(id, path);
    if (field?.fieldType !== 'dimension') throw unknownField(path, id);
    const dimension: QueryDimension = { field: field.address, alias: field.id };
    const granularity = granularityOf(field.interval);
    if (granularity) dimension.granularity = granularity;
    let interval = field.interval;
    if (zoom && !zoomed && (field.type === 'date' || field.type === 'timestamp')) {
      zoomed = true;
      interval = zoom.toUpperCase() as TimeInterval;
      dimension.granularity = intervalGranularity[interval as Exclude<TimeInterval, 'RAW'>];
    }
    paths.push([`dimensions[${ir.dimensions.length}]`, path]);
    ir.dimensions.push(dimension);
    selected.push({
      id,
      kind: 'dimension',
      type: interval && interval !== 'RAW' ? 'date' : (field.type as DimensionType),
      ...(interval !== undefined && { interval }),
      item: fieldJson(field, tableOf.get(field.table)),
    });
  }

  const addMetric = (id: string, path: string, shown: boolean): void => {
    if (ir.metrics.some((metric) => 'alias' in metric && metric.alias === id)) return;
    const extra = additional.get(id);
    if (extra) {
      paths.push([`metrics[${ir.metrics.length}]`, extra.path]);
      ir.metrics.push(additionalMetricIr(extra.metric, extra.path, id, explore, lookup));
      if (shown)
        selected.push({ id, kind: 'metric', type: 'number', item: { ...extra.metric, fieldType: 'metric' } });
      return;
    }
    const field = lookup(id, path);
    if (field?.fieldType !== 'metric') throw unknownField(path, id);
    paths.push([`metrics[${ir.metrics.length}]`, path]);
    ir.metrics.push({ kind: 'model', metric: field.address, alias: field.id });
    if (shown)
      selected.push({ id, kind: 'metric', type: 'number', item: fieldJson(field, tableOf.get(field.table)) });
  };
  for (const [i, id] of query.metrics.entries()) addMetric(id, `metrics[${i}]`, true);

  const post = (query.tableCalculations ?? []).map((calculation, i) => {
    const path = `tableCalculations[${i}].sql`;
    paths.push([`post[${i}]`, path]);
    selected.push({
      id: calculation.name,
      kind: 'calculation',
      type: (calculation.type as DimensionType | undefined) ?? 'number',
      item: calculation,
    });
    return {
      id: calculation.name,
      type: 'formula' as const,
      formula: calculationFormula(calculation, path, explore, calculations),
    };
  });
  if (post.length > 0) ir.post = post;

  const filters = query.filters ?? {};
  const typeOf = (
    id: string,
    path: string,
  ): { field: string; type: DimensionType; interval?: TimeInterval } => {
    const field = lookup(id, path);
    if (field?.fieldType !== 'dimension') throw unknownField(path, id);
    return {
      field: field.address,
      type: field.type as DimensionType,
      ...(field.interval && { interval: field.interval }),
    };
  };
  const dimensionFilter = filterTree(filters.dimensions, 'filters.dimensions', typeOf);
  if (dimensionFilter) {
    ir.filters = dimensionFilter;
    paths.push(['filters', 'filters.dimensions']);
  }
  const metricFilter = filterTree(filters.metrics, 'filters.metrics', (id, path) => {
    addMetric(id, path, false);
    return { field: id, type: 'number' };
  });
  if (metricFilter) {
    ir.metricFilters = metricFilter;
    paths.push(['metricFilters', 'filters.metrics']);
  }
  const calculationFilter = filterTree(filters.tableCalculations, 'filters.tableCalculations', (id, path) => {
    const calculation = calculations.get(id);
    if (!calculation) throw unknownField(path, id);
    return { field: id, type: (calculation.type as DimensionType | undefined) ?? 'number' };
  });
  if (calculationFilter) {
    ir.postFilters = calculationFilter;
    paths.push(['postFilters', 'filters.tableCalculations']);
  }

  // A sort names a column of the answer; an id naming nothing at all is a field reference error.
  const known = new Set([...selected.map((field) => field.id), ...byId.keys()]);
  ir.sorts = (query.sorts ?? []).map((sort, i) => {
    if (!known.has(sort.fieldId)) throw unknownField(`sorts[${i}].fieldId`, sort.fieldId);
    paths.push([`sorts[${i}]`, `sorts[${i}].fieldId`]);
    return { field: sort.fieldId, descending: sort.descending };
  });
  if (options.underlying && ir.metrics.length === 0) ir.aggregate = false;
  return { ir, selected, paths };
}

function checkLimit(limit: number | undefined, maxLimit: number): void {
  if (limit === undefined) return;
  if (!Number.isInteger(limit) || limit < 0) throw validationError('limit', 'must be a whole number from 0');
  if (limit > maxLimit) throw validationError('limit', `Query limit can not exceed ${maxLimit}`);
}

const granularityOf = (interval: TimeInterval | undefined): Granularity | undefined =>
  interval === undefined || interval === 'RAW' ? undefined : intervalGranularity[interval];

export type QueryPorts = Pick<Services, 'data' | 'query'>;

export interface RunOptions {
  maxLimit: number;
  /** The explore of the path (`exploreId`); the body's `exploreName` otherwise. */
  exploreName?: string;
  underlying?: boolean;
  noCache?: boolean;
}

/** The explore, its model and the planned IR of a MetricQuery, core errors renamed to its paths. */
export async function prepareMetricQuery(
  ports: QueryPorts,
  principal: Principal,
  project: Project,
  query: MetricQuery,
  options: RunOptions,
): Promise<{ explore: Explore; model: Model; planned: PlannedQuery }> {
  const name = options.exploreName ?? query.exploreName;
  if (!name) throw validationError('exploreName', 'is required');
  const { explore, model } = await findExplore(ports, principal, project, name);
  const planned = await planMetricQuery(explore, query, {
    maxLimit: options.maxLimit,
    underlying: options.underlying,
    rangeOf: (address) => rangeOf(ports, principal, model, address),
  });
  return { explore, model, planned };
}

async function rangeOf(
  ports: QueryPorts,
  principal: Principal,
  model: Model,
  address: string,
): Promise<{ min: number; max: number } | undefined> {
  const result = await ports.query.runIr(principal, model, {
    dimensions: [],
    metrics: [
      { kind: 'aggregate', aggregation: 'min', field: address, alias: 'min' },
      { kind: 'aggregate', aggregation: 'max', field: address, alias: 'max' },
    ],
    sorts: [],
    offset: 0,
    aggregate: true,
  });
  const [min, max] = result.rows[0] ?? [];
  return typeof min === 'number' && typeof max === 'number' ? { min, max } : undefined;
}

/** Runs `work`, naming any core error on the MetricQuery's path instead of the IR's. */
export async function onMetricQueryPaths<T>(
  paths: PlannedQuery['paths'],
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isRosettaError(error) || error.field === undefined) throw error;
    const field = error.field;
    const match = [...paths]
      .sort((a, b) => b[0].length - a[0].length)
      .find(
        ([prefix]) => field === prefix || field.startsWith(`${prefix}.`) || field.startsWith(`${prefix}[`),
      );
    throw match ? renameField(error, match[1] + field.slice(match[0].length)) : error;
  }
}

/**
 * Runs a MetricQuery as `principal` on an explore of `project` and answers Lightdash's
 * QueryResults. Saved charts (L3) call it with the MetricQuery they stored.
 */
export async function runMetricQuery(
  ports: QueryPorts,
  principal: Principal,
  project: Project,
  query: MetricQuery,
  options: RunOptions,
): Promise<QueryResults> {
  const { model, planned } = await prepareMetricQuery(ports, principal, project, query, options);
  const result: QueryRunResult = await onMetricQueryPaths(planned.paths, () =>
    ports.query.runIr(principal, model, planned.ir, { noCache: options.noCache, maxRows: options.maxLimit }),
  );
  return queryResults(query, planned.selected, result);
}
