import { validationError } from '../../../../core/errors.ts';
import type {
  FilterNode,
  PostCalculation,
  QueryDimension,
  QueryIr,
  QueryMetric,
  QuerySort,
  TopN,
} from '../../../../core/query/ir.ts';
import { type CubeField, type Dimtype, type Elasticube, fieldsOf } from '../elasticubes.ts';
import { type FilterTarget, mapJaqlFilter } from './filters.ts';
import { periodOfLevel } from './levels.ts';
import { addMeasure, type MeasureBuilder, plainMetric } from './measures.ts';
import { type JaqlElement, type JaqlItem, type JaqlRequest, selectedItems } from './request.ts';

/**
 * A JAQL request as query-core IR. Each selected item (not `panel: "scope"`) is one column of the
 * answer, in request order, named `jaql_c<index in metadata>`; hidden helper metrics (formula
 * parts, `by` measures of top filters, measure filters of the scope) are named `jaql_h<n>`.
 */

export interface PlannedColumn {
  index: number;
  item: JaqlItem;
  name: string;
  dimtype: Dimtype;
}

export interface JaqlPlan {
  ir: QueryIr;
  columns: PlannedColumn[];
}

const isMeasure = (element: JaqlElement, field: CubeField | undefined): boolean =>
  element.formula !== undefined || element.agg !== undefined || field?.type === 'measure';

const sortOf = (sort: string, path: string): boolean | undefined => {
  const order = sort.toLowerCase();
  if (order === 'asc' || order === 'desc') return order === 'desc';
  if (order === 'none' || order === '') return undefined;
  throw validationError(path, 'must be "asc", "desc" or "none"');
};

/**
 * `pivot`: attributes of `panel: "columns"` spread into columns (the IR's pivot), as a pivot
 * export lays them out; elsewhere (the JAQL answer) every item is a column of its own.
 */
export function planJaql(
  cube: Elasticube,
  request: JaqlRequest,
  maxRows: number,
  options: { pivot?: boolean } = {},
): JaqlPlan {
  const byId = new Map(fieldsOf(cube).map((field) => [field.id.toLowerCase(), field]));
  const lookup = (dim: string | undefined) => (dim === undefined ? undefined : byId.get(dim.toLowerCase()));
  const field = (dim: string, path: string): CubeField => {
    const found = lookup(dim);
    if (!found) throw validationError(path, `${JSON.stringify(dim)} is not a field of ${cube.title}`);
    return found;
  };
  const attributeTarget = (element: JaqlElement, path: string): FilterTarget => {
    const found = field(element.dim ?? '', `${path}.dim`);
    if (found.type === 'measure') throw validationError(`${path}.dim`, `${found.id} is a measure`);
    const period =
      element.level !== undefined && found.dimtype === 'datetime'
        ? periodOfLevel(element.level, `${path}.level`)
        : undefined;
    return { field: found.modelAddress, dimtype: found.dimtype, ...(period && { period }) };
  };

  let hiddenCount = 0;
  const builder: MeasureBuilder = {
    field,
    filterOf: (member, path) =>
      mapJaqlFilter(member.filter ?? {}, attributeTarget(member, path), `${path}.filter`),
    metrics: [] as QueryMetric[],
    post: [] as PostCalculation[],
    fresh: () => `jaql_h${hiddenCount++}`,
  };
  const selected = selectedItems(request);
  const ungroup = request.ungroup === true;
  const columns: PlannedColumn[] = [];
  const dimensions: QueryDimension[] = [];
  const where: FilterNode[] = [];
  const having: FilterNode[] = [];
  /** Rules on running and period functions, computed after grouping. */
  const afterPost: FilterNode[] = [];
  /** A measure's filter: on its groups (HAVING), or after the post stage for a post calculation. */
  const filterMeasure = (name: string, filter: Record<string, unknown>, path: string) => {
    const node = mapJaqlFilter(filter, { field: name, dimtype: 'numeric' }, path);
    if (node) (builder.post.some((post) => post.id === name) ? afterPost : having).push(node);
  };
  const sorts: QuerySort[] = [];
  let top: TopN | undefined;
  const pivotColumns: string[] = [];

  // Attributes first: PAST… functions of the measures need the date attribute's level.
  const measures: Array<{ item: JaqlItem; index: number; name: string }> = [];
  for (const { item, index } of selected) {
    const path = `metadata[${index}].jaql`;
    const element = item.jaql;
    const name = `jaql_c${index}`;
    const found = element.formula === undefined ? field(element.dim ?? '', `${path}.dim`) : undefined;
    if (!ungroup && isMeasure(element, found)) {
      measures.push({ item, index, name });
      columns.push({ index, item, name, dimtype: 'numeric' });
      continue;
    }
    if (!found || found.type === 'measure')
      throw validationError(
        path,
        'ungroup answers rows as stored: only fields of tables, no measures or formulas',
      );
    const target = attributeTarget(element, path);
    dimensions.push({
      field: found.modelAddress,
      alias: name,
      ...(target.period && { granularity: target.period }),
    });
    builder.datePeriod ??= target.period;
    columns.push({ index, item, name, dimtype: found.dimtype });
    if (options.pivot && item.panel === 'columns') pivotColumns.push(name);
    if (element.filter && ('top' in element.filter || 'bottom' in element.filter)) {
      top = topOf(element.filter, name, builder, `${path}.filter`, top);
      continue;
    }
    const node = element.filter && mapJaqlFilter(element.filter, target, `${path}.filter`);
    if (node) where.push(node);
  }
  for (const { item, index, name } of measures) {
    const path = `metadata[${index}].jaql`;
    addMeasure(item.jaql, name, builder, path);
    if (item.jaql.filter) filterMeasure(name, item.jaql.filter, `${path}.filter`);
  }
  columns.sort((a, b) => a.index - b.index);
  for (const column of columns) {
    const { sort } = column.item.jaql;
    const descending = sort === undefined ? undefined : sortOf(sort, `metadata[${column.index}].jaql.sort`);
    if (descending !== undefined) sorts.push({ field: column.name, descending });
  }
  // Ties of the sorted items keep the attributes' order, as without any sort.
  if (sorts.length > 0 && !ungroup)
    for (const dimension of dimensions)
      if (!sorts.some((sort) => sort.field === dimension.alias))
        sorts.push({ field: dimension.alias as string, descending: false });

  request.metadata.forEach((item, index) => {
    if (item.panel !== 'scope' || item.jaql.filter === undefined) return;
    const path = `metadata[${index}].jaql`;
    if ('top' in item.jaql.filter || 'bottom' in item.jaql.filter)
      throw validationError(
        `${path}.filter`,
        'a top or bottom filter needs its attribute among the selected items',
      );
    const found = item.jaql.formula === undefined ? field(item.jaql.dim ?? '', `${path}.dim`) : undefined;
    if (isMeasure(item.jaql, found)) {
      if (ungroup) throw validationError(path, 'ungroup answers rows as stored: no measure filters');
      const name = builder.fresh();
      addMeasure(item.jaql, name, builder, path);
      filterMeasure(name, item.jaql.filter, `${path}.filter`);
      return;
    }
    const node = mapJaqlFilter(item.jaql.filter, attributeTarget(item.jaql, path), `${path}.filter`);
    if (node) where.push(node);
  });

  const and = (nodes: FilterNode[]) => (nodes.length === 1 ? nodes[0] : { and: nodes });
  const ir: QueryIr = {
    dimensions,
    metrics: builder.metrics,
    sorts,
    limit: Math.min(request.count ?? maxRows, maxRows),
    offset: request.offset ?? 0,
    aggregate: !ungroup,
    ...(where.length > 0 && { filters: and(where) }),
    ...(having.length > 0 && { metricFilters: and(having) }),
    ...(afterPost.length > 0 && { postFilters: and(afterPost) }),
    ...(builder.post.length > 0 && { post: builder.post }),
    ...(top && { top }),
    ...(pivotColumns.length > 0 && { pivot: { columns: pivotColumns } }),
  };
  return { ir, columns };
}

/** `{top|bottom: N, by: {measure}}` on a selected attribute: the IR's top N by a hidden metric. */
function topOf(
  filter: Record<string, unknown>,
  dimension: string,
  builder: MeasureBuilder,
  path: string,
  previous: TopN | undefined,
): TopN {
  if (previous) throw validationError(path, 'only one top or bottom filter per query is supported');
  const bottom = 'bottom' in filter;
  const key = bottom ? 'bottom' : 'top';
  const n = filter[key];
  if (!Number.isInteger(n) || (n as number) < 1)
    throw validationError(`${path}.${key}`, 'must be a whole number from 1');
  const by = filter.by;
  if (typeof by !== 'object' || by === null || Array.isArray(by))
    throw validationError(`${path}.by`, 'must be a measure ({dim, agg} or {formula, context})');
  const name = builder.fresh();
  const element = by as JaqlElement;
  if (element.formula !== undefined) addMeasure(element, name, builder, `${path}.by`);
  else builder.metrics.push(plainMetric(element, name, builder, `${path}.by`));
  return { dimension, by: name, n: n as number, ...(bottom && { bottom }) };
}
