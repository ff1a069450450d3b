import { RosettaError, renameField, validationError } from '../../../core/errors.ts';
import type {
  Aggregation,
  FilterNode,
  Granularity,
  QueryDimension,
  QueryIr,
  QueryMetric,
  QuerySort,
} from '../../../core/query/index.ts';
import { type Dataset, type DatasetField, fieldOf, friendly } from './dataset-catalog.ts';
import { countOf, type HolisticsFilter, mapFilter, transformOperators } from './dataset-filters.ts';

/**
 * A Holistics dataset query (`Query` schema) as query-core IR. Result columns are named by the
 * query's `id`s (default: the field address, `<aggregation> of <address>` for an aggregated
 * metric), which `order` refers to; the answer shows exactly the requested columns, in order
 * (dimensions, metrics, then period-over-period columns), labelled as Holistics labels them.
 */

export interface HolisticsQuery {
  dimensions?: Array<{ id?: string; field: string; transformation?: string | null }>;
  metrics?: Array<{ id?: string; field: string; aggregation?: string | null }>;
  filters?: HolisticsFilter[];
  limit?: number;
  page?: number;
  page_size?: number;
  order?: Array<{ id: string; order: 'asc' | 'desc' }>;
  timezone?: string;
  bust_cache?: boolean;
}

/** A column the answer shows: its result-column name and its label (`Data.fields`). */
export interface ShownColumn {
  name: string;
  label: string;
}

export interface PlannedQuery {
  ir: QueryIr;
  columns: ShownColumn[];
}

/** Holistics' aggregation words as the query core's (a dataset query's metrics, an alert's condition). */
export const aggregationsOf: Record<string, Aggregation> = {
  sum: 'sum',
  avg: 'avg',
  min: 'min',
  max: 'max',
  count: 'count',
  'count distinct': 'count_distinct',
  median: 'median',
  stdev: 'stddev',
  var: 'variance',
};

const aggregationLabels: Record<string, string> = { 'count distinct': 'CountD', stdev: 'Stdev', var: 'Var' };
const labelOfAggregation = (aggregation: string) => aggregationLabels[aggregation] ?? friendly(aggregation);

const granularityOf = (transformation: string, path: string): Granularity => {
  const match = /^datetrunc (year|quarter|month|week|day|hour|minute)$/.exec(transformation);
  if (!match)
    throw validationError(path, `expected "datetrunc <period>", got ${JSON.stringify(transformation)}`);
  return match[1] as Granularity;
};

function fieldIn(dataset: Dataset, address: string, path: string): DatasetField {
  const field = fieldOf(dataset, address);
  if (!field)
    throw new RosettaError(
      'ERR_VALIDATION',
      `${path}: the data set has no field ${JSON.stringify(address)}`,
      path,
      {
        reason: 'query.unknown_field',
        problem: `the data set has no field ${JSON.stringify(address)} (write <data model name>.<field name>)`,
      },
    );
  return field;
}

/** Date drills (`transform_date_drill`) change the bucket of the dimensions on their field. */
function drills(query: HolisticsQuery): Map<string, string> {
  const drilled = new Map<string, string>();
  (query.filters ?? []).forEach((filter, i) => {
    if (filter.operator !== 'transform_date_drill') return;
    const path = `query.filters[${i}].values[0]`;
    granularityOf(String(filter.values[0] ?? ''), path);
    drilled.set(filter.field, String(filter.values[0]));
  });
  return drilled;
}

/** Maps the query; `maxRows` is the face's row cap, the limit when the query sets none. */
export function planDatasetQuery(dataset: Dataset, query: HolisticsQuery, maxRows: number): PlannedQuery {
  if (query.limit !== undefined && query.limit > maxRows)
    throw validationError('query.limit', `must be at most ${maxRows} (the row cap of this server)`);
  const drilled = drills(query);
  const columns: ShownColumn[] = [];
  /** Ids name result columns: each once. */
  const ids = new Set<string>();
  const claim = (id: string, label: string, path: string) => {
    if (ids.has(id)) throw validationError(path, `id ${JSON.stringify(id)} is used twice`);
    ids.add(id);
    columns.push({ name: id, label });
  };

  const dimensions = (query.dimensions ?? []).map((dimension, i): QueryDimension => {
    const path = `query.dimensions[${i}]`;
    const field = fieldIn(dataset, dimension.field, `${path}.field`);
    if (field.kind === 'measure')
      throw validationError(`${path}.field`, 'is a measure: query it among the metrics');
    const transformation = drilled.get(dimension.field) ?? dimension.transformation ?? undefined;
    const granularity = transformation ? granularityOf(transformation, `${path}.transformation`) : undefined;
    const id = dimension.id ?? dimension.field;
    claim(id, granularity ? `${friendly(granularity)} ${field.label}` : field.label, `${path}.id`);
    return { field: field.modelAddress, alias: id, ...(granularity && { granularity }) };
  });

  const post: NonNullable<QueryIr['post']> = [];
  /** The metrics a period-over-period comparison shows the previous value of (not running ones). */
  const metricIds: Array<{ id: string; label: string }> = [];
  const metrics = (query.metrics ?? []).map((metric, i): QueryMetric => {
    const path = `query.metrics[${i}]`;
    const field = fieldIn(dataset, metric.field, `${path}.field`);
    const aggregation = metric.aggregation ?? 'custom';
    if (field.kind === 'measure') {
      if (aggregation !== 'custom' && aggregation !== field.aggregation)
        throw validationError(
          `${path}.aggregation`,
          `${metric.field} is a measure: its aggregation is its own (custom)`,
        );
      const id = metric.id ?? metric.field;
      claim(id, field.label, `${path}.id`);
      metricIds.push({ id, label: field.label });
      return { kind: 'model', metric: field.modelAddress, alias: id };
    }
    const running = /^running (sum|avg|min|max)$/.exec(aggregation);
    if (running && running[1] !== 'sum')
      throw validationError(
        `${path}.aggregation`,
        `"${aggregation}" is not supported: only "running sum" is`,
      );
    const core = aggregationsOf[running ? 'sum' : aggregation];
    if (!core)
      throw validationError(
        `${path}.aggregation`,
        aggregation === 'custom'
          ? `${metric.field} is a dimension: give it an aggregation`
          : `"${aggregation}" is not supported`,
      );
    const id = metric.id ?? `${aggregation} of ${metric.field}`;
    const label = `${labelOfAggregation(aggregation)} of ${field.label}`;
    claim(id, label, `${path}.id`);
    if (!running) {
      metricIds.push({ id, label });
      return { kind: 'aggregate', aggregation: core, field: field.modelAddress, alias: id };
    }
    // The running total is a post calculation over a helper column the answer does not show.
    const helper = `__running_${i}`;
    post.push({ id, type: 'running_total', of: helper });
    return { kind: 'aggregate', aggregation: core, field: field.modelAddress, alias: helper };
  });

  const filters: FilterNode[] = [];
  (query.filters ?? []).forEach((filter, i) => {
    const path = `query.filters[${i}]`;
    const field = fieldIn(dataset, filter.field, `${path}.field`);
    if (filter.operator === 'transform_pop_relative') {
      periodOverPeriod(filter, path, dimensions, dataset, metricIds, post, columns);
      return;
    }
    if (filter.operator === 'transform_pop_absolute')
      throw validationError(
        `${path}.operator`,
        'period-over-period against a fixed range is not supported: use transform_pop_relative',
      );
    if (transformOperators.has(filter.operator)) return;
    const mapped = mapFilter(filter, field.modelAddress, path);
    if (mapped !== 'skip') filters.push(mapped);
  });

  const sorts = (query.order ?? []).map((order, i): QuerySort => {
    if (!ids.has(order.id))
      throw validationError(
        `query.order[${i}].id`,
        `no dimension or metric of the query has id ${JSON.stringify(order.id)}`,
      );
    return { field: order.id, descending: order.order === 'desc' };
  });

  const ir: QueryIr = {
    dimensions,
    metrics,
    sorts,
    limit: query.limit ?? maxRows,
    offset: 0,
    aggregate: true,
    ...(filters.length > 0 && { filters: filters.length === 1 ? filters[0] : { and: filters } }),
    ...(post.length > 0 && { post }),
    ...(query.timezone !== undefined && { timezone: query.timezone }),
  };
  return { ir, columns };
}

/**
 * `transform_pop_relative` (`values: [1]`, `modifier: <period>`): each metric beside its value one
 * period earlier, along the query's dimension on that date field bucketed by that period (the
 * IR's `previous_period`); another offset or period is a 422 rather than a wrong comparison. A
 * running sum is not compared (the IR computes no post calculation over another).
 */
function periodOverPeriod(
  filter: HolisticsFilter,
  path: string,
  dimensions: QueryDimension[],
  dataset: Dataset,
  metricIds: Array<{ id: string; label: string }>,
  post: NonNullable<QueryIr['post']>,
  columns: ShownColumn[],
): void {
  const address = fieldOf(dataset, filter.field)?.modelAddress;
  const dimension = dimensions.find((d) => d.field === address && d.granularity !== undefined);
  if (!dimension)
    throw validationError(
      `${path}.field`,
      'period-over-period needs a dimension of the query on this field with a datetrunc transformation',
    );
  if (filter.modifier !== dimension.granularity)
    throw validationError(`${path}.modifier`, `must be the dimension's period (${dimension.granularity})`);
  if (countOf(filter.values[0], `${path}.values[0]`) !== 1)
    throw validationError(
      `${path}.values[0]`,
      'only a comparison with the period just before (1) is supported',
    );
  for (const metric of metricIds) {
    const id = `${metric.id} (previous ${filter.modifier})`;
    post.push({ id, type: 'previous_period', of: metric.id });
    columns.push({ name: id, label: `${metric.label} (previous ${filter.modifier})` });
  }
}

/**
 * Core errors name the IR's paths (`dimensions[0].granularity`, `sorts[1]`); a Holistics client
 * sent `query.…`: the field is renamed, the code, reason and problem kept.
 */
export async function inQueryPaths<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof RosettaError) || error.field === undefined || error.field.startsWith('query.'))
      throw error;
    const field = error.field
      .replace(/^dimensions\[(\d+)\]\.granularity/, 'dimensions[$1].transformation')
      .replace(/^sorts\[(\d+)\](\.field)?/, 'order[$1].id')
      .replace(/^post\[\d+\].*/, 'metrics');
    throw renameField(error, `query.${field}`);
  }
}
