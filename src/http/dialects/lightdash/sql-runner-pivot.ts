import { Type } from 'typebox';
import type { Job } from '../../../core/jobs/index.ts';
import type { Aggregation, QueryIr, QueryJobResult } from '../../../core/query/index.ts';
import type { JsonScalar, ResultColumn } from '../../../engines/types.ts';

/**
 * `runPivotQuery`'s body (`SqlRunnerPivotQueryBody`) as IR over the statement's result, which the
 * core pivots (`submitSqlIr`): the index column and the group-by columns are dimensions, each
 * values column an aggregate named `<reference>_<aggregation>`, the group-by columns spread.
 */

const Open = { additionalProperties: true };
const aggregations = ['sum', 'count', 'avg', 'min', 'max', 'any'] as const;
type VizAggregation = (typeof aggregations)[number];

export const PivotBody = Type.Object(
  {
    sql: Type.String({ minLength: 1 }),
    limit: Type.Optional(Type.Integer({ minimum: 1 })),
    indexColumn: Type.Optional(
      Type.Union([
        Type.Object({ reference: Type.String({ minLength: 1 }), type: Type.Optional(Type.String()) }, Open),
        Type.Null(),
      ]),
    ),
    valuesColumns: Type.Array(
      Type.Object(
        {
          reference: Type.String({ minLength: 1 }),
          aggregation: Type.Union(aggregations.map((name) => Type.Literal(name))),
        },
        Open,
      ),
    ),
    groupByColumns: Type.Optional(
      Type.Union([Type.Array(Type.Object({ reference: Type.String({ minLength: 1 }) }, Open)), Type.Null()]),
    ),
    sortBy: Type.Optional(
      Type.Union([
        Type.Array(
          Type.Object(
            {
              reference: Type.String({ minLength: 1 }),
              direction: Type.Union([Type.Literal('ASC'), Type.Literal('DESC')]),
            },
            Open,
          ),
        ),
        Type.Null(),
      ]),
    ),
  },
  Open,
);

interface PivotRequest {
  indexColumn?: { reference: string; type?: string } | null;
  valuesColumns: { reference: string; aggregation: VizAggregation }[];
  groupByColumns?: { reference: string }[] | null;
  sortBy?: { reference: string; direction: 'ASC' | 'DESC' }[] | null;
}

/** What the job keeps to answer its status as Lightdash does. */
export interface PivotAnnotation {
  lightdashPivot: {
    indexColumn: { reference: string; type: string } | null;
    valuesColumns: { reference: string; aggregation: VizAggregation }[];
    groupBy: string[];
  };
}

// "Any value of the group": the smallest is one, and the same on every run.
const coreAggregation: Record<VizAggregation, Aggregation> = {
  sum: 'sum',
  count: 'count',
  avg: 'avg',
  min: 'min',
  max: 'max',
  any: 'min',
};

const valueName = (value: { reference: string; aggregation: string }) =>
  `${value.reference}_${value.aggregation}`;

export function pivotIr(body: PivotRequest, limit: number): { ir: QueryIr; annotation: PivotAnnotation } {
  const groupBy = (body.groupByColumns ?? []).map((column) => column.reference);
  const index = body.indexColumn ? [body.indexColumn.reference] : [];
  const ir: QueryIr = {
    dimensions: [...index, ...groupBy].map((field) => ({ field })),
    metrics: body.valuesColumns.map((value) => ({
      kind: 'aggregate' as const,
      aggregation: coreAggregation[value.aggregation],
      field: value.reference,
      alias: valueName(value),
    })),
    ...(groupBy.length > 0 && { pivot: { columns: groupBy } }),
    sorts: (body.sortBy ?? []).map((sort) => ({
      field: sort.reference,
      descending: sort.direction === 'DESC',
    })),
    limit,
    offset: 0,
    aggregate: true,
  };
  const indexColumn = body.indexColumn
    ? { reference: body.indexColumn.reference, type: body.indexColumn.type ?? 'category' }
    : null;
  return {
    ir,
    annotation: { lightdashPivot: { indexColumn, valuesColumns: body.valuesColumns, groupBy } },
  };
}

const valueText = (value: JsonScalar) => (value === null ? 'null' : String(value));

/** A results-file key: a spread column is `<reference>_<aggregation>_<group values>`. */
export const sqlRunnerColumnName = (column: Pick<ResultColumn, 'name' | 'pivot'>): string =>
  column.pivot ? [column.pivot.metric, ...column.pivot.values.map(valueText)].join('_') : column.name;

/**
 * A finished pivot job's `PivotChartData` details (beside `fileUrl` and `columns`): which result
 * columns hold which values column for which group values. Empty for any other job.
 */
export function pivotDetails(job: Job): Record<string, unknown> {
  const annotation = (job.payload as { annotation?: Partial<PivotAnnotation> } | null)?.annotation;
  const pivot = annotation?.lightdashPivot;
  if (!pivot) return {};
  const columns = (job.result as QueryJobResult).columns;
  const aggregationOf = new Map(pivot.valuesColumns.map((value) => [valueName(value), value]));
  const valuesColumns = columns.flatMap((column) => {
    const value = aggregationOf.get(column.pivot?.metric ?? column.name);
    if (!value || (pivot.groupBy.length > 0 && !column.pivot)) return [];
    return [
      {
        referenceField: value.reference,
        pivotColumnName: sqlRunnerColumnName(column),
        aggregation: value.aggregation,
        pivotValues: (column.pivot?.values ?? []).map((v, i) => ({
          referenceField: pivot.groupBy[i],
          value: v,
        })),
      },
    ];
  });
  return { indexColumn: pivot.indexColumn, valuesColumns, columnCount: valuesColumns.length };
}
