import type { ColumnMeta, ColumnType, ResultColumn } from '../../engines/types.ts';
import { type Granularity, metricName, type QueryIr } from './ir.ts';
import type { Model } from './model.ts';
import type { MetricExpression } from './resolve.ts';
import type { ResolvedDimension, ResolvedQuery } from './validate.ts';
import type { ResolvedPost } from './validate-post.ts';

/**
 * What each result column of a query is: its id (= name), kind, the model's label when the model
 * gives one, and a format hint for faces and charts. The column's type comes from the engine.
 */
export function columnMetadata(model: Model, ir: QueryIr, query: ResolvedQuery): ColumnMeta[] {
  const metricLabels = new Map(
    ir.metrics.flatMap((metric) => {
      const label = metric.kind === 'model' ? modelMetricLabel(model, metric.metric) : undefined;
      return label === undefined ? [] : [[metricName(metric), label] as const];
    }),
  );
  const metricFormats = new Map(
    query.metrics.map((metric) => [metric.name, metricFormat(metric.expression)]),
  );
  // A dimension top N folds into `Others` holds text.
  const folded = query.top?.others ? query.top.dimension : undefined;
  return [
    ...query.dimensions.map((dimension) =>
      meta(
        dimension.name,
        'dimension',
        dimensionLabel(model, dimension),
        dimension.name === folded ? undefined : formatOf(dimensionType(dimension)),
      ),
    ),
    ...query.metrics.map((metric) =>
      meta(metric.name, 'metric', metricLabels.get(metric.name), metricFormats.get(metric.name)),
    ),
    ...(query.post ?? []).map((calculation) =>
      meta(
        calculation.id,
        'calculation',
        undefined,
        calculation.type === 'formula'
          ? undefined
          : (postFormats[calculation.type] ?? metricFormats.get(calculation.of)),
      ),
    ),
  ];
}

/**
 * Shares and changes are percents, ranks integers; a running total, a previous value or a
 * difference keeps its metric's format (an integer sum stays an integer).
 */
const postFormats: Partial<Record<ResolvedPost['type'], ColumnMeta['format']>> = {
  percent_of_total: 'percent',
  percent_change: 'percent',
  rank: 'integer',
};

/** The engine's columns (name and type) with what the query says each is, matched by name. */
export function withMetadata(columns: ResultColumn[], metadata: ColumnMeta[]): ResultColumn[] {
  const byId = new Map(metadata.map((meta) => [meta.id, meta]));
  return columns.map((column) => ({ ...column, ...byId.get(column.name) }));
}

const meta = (
  id: string,
  kind: ColumnMeta['kind'],
  label: string | undefined,
  format: ColumnMeta['format'],
): ColumnMeta => ({
  id,
  kind,
  ...(label !== undefined && { label }),
  ...(format !== undefined && { format }),
});

/**
 * The type of a dimension's values: a bucket's start, a date part's number, a fixed-width bin's
 * lower bound, a range bin's label, or the field's own.
 */
export function dimensionType(dimension: ResolvedDimension): ColumnType {
  if (dimension.granularity) return granularityTypes[dimension.granularity];
  if (dimension.bin) return dimension.bin.kind === 'width' ? 'number' : 'string';
  return dimension.field.type;
}

const granularityTypes: Record<Granularity, ColumnType> = {
  year: 'date',
  quarter: 'date',
  month: 'date',
  week: 'date',
  day: 'date',
  hour: 'datetime',
  minute: 'datetime',
  weekday: 'integer',
  month_of_year: 'integer',
  day_of_week: 'integer',
  hour_of_day: 'integer',
  quarter_of_year: 'integer',
  week_of_year: 'integer',
};

const formatOf = (type: ColumnType): ColumnMeta['format'] =>
  type === 'date' || type === 'datetime' || type === 'integer' ? type : undefined;

function dimensionLabel(model: Model, dimension: ResolvedDimension): string | undefined {
  const { field } = dimension;
  if (field.kind !== 'column') return undefined;
  return model.dimensions.find((d) => `${d.table}.${d.name}` === field.address)?.label;
}

/** A model metric as a query names it (`table.name`, or a name unique in the model). */
function modelMetricLabel(model: Model, reference: string): string | undefined {
  const exact = model.metrics.find((m) => `${m.table}.${m.name}` === reference);
  return (exact ?? model.metrics.find((m) => m.name === reference))?.label;
}

/**
 * Counts are integers; a sum of integers, and the min or max of a field, keep the field's format
 * (a date stays a date), an SQL metric its declared type. Averages, spreads and formulas have no
 * hint.
 */
export function metricFormat(expression: MetricExpression): ColumnMeta['format'] {
  if (expression.kind === 'sql') return expression.type === 'integer' ? 'integer' : undefined;
  if (expression.kind !== 'aggregate') return undefined;
  const { aggregation, field } = expression;
  if (aggregation === 'count' || aggregation === 'count_distinct') return 'integer';
  if (!field || !['sum', 'min', 'max'].includes(aggregation)) return undefined;
  return formatOf(field.type);
}
