import { type Static, Type } from 'typebox';

/**
 * Lightdash's MetricQuery (spec §2.0.3) as requests send it, with MetricQueryRequest's
 * `granularity` and `csvLimit`: only shapes are checked here, references are the planner's.
 */

const Open = { additionalProperties: true };

export const MetricQuerySchema = Type.Object(
  {
    exploreName: Type.Optional(Type.String()),
    dimensions: Type.Array(Type.String()),
    metrics: Type.Array(Type.String()),
    filters: Type.Optional(
      Type.Object(
        {
          dimensions: Type.Optional(Type.Unknown()),
          metrics: Type.Optional(Type.Unknown()),
          tableCalculations: Type.Optional(Type.Unknown()),
        },
        Open,
      ),
    ),
    sorts: Type.Optional(
      Type.Array(Type.Object({ fieldId: Type.String(), descending: Type.Boolean() }, Open)),
    ),
    limit: Type.Optional(Type.Number()),
    tableCalculations: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            displayName: Type.Optional(Type.String()),
            sql: Type.String(),
            type: Type.Optional(Type.String()),
          },
          Open,
        ),
      ),
    ),
    additionalMetrics: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            table: Type.String(),
            type: Type.String(),
            sql: Type.String(),
            percentile: Type.Optional(Type.Number()),
            filters: Type.Optional(Type.Array(Type.Unknown())),
          },
          Open,
        ),
      ),
    ),
    customDimensions: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Type.String({ minLength: 1 }),
            name: Type.Optional(Type.String()),
            table: Type.Optional(Type.String()),
            type: Type.Union([Type.Literal('bin'), Type.Literal('sql')]),
            dimensionId: Type.Optional(Type.String()),
            binType: Type.Optional(
              Type.Union([
                Type.Literal('fixed_number'),
                Type.Literal('fixed_width'),
                Type.Literal('custom_range'),
              ]),
            ),
            binNumber: Type.Optional(Type.Number()),
            binWidth: Type.Optional(Type.Number()),
            customRange: Type.Optional(
              Type.Array(
                Type.Object({ from: Type.Optional(Type.Number()), to: Type.Optional(Type.Number()) }),
                { maxItems: 100 },
              ),
            ),
            sql: Type.Optional(Type.String()),
            dimensionType: Type.Optional(Type.String()),
          },
          Open,
        ),
      ),
    ),
    timezone: Type.Optional(Type.String()),
    metadata: Type.Optional(Type.Unknown()),
    granularity: Type.Optional(
      Type.Union([
        Type.Literal('Day'),
        Type.Literal('Week'),
        Type.Literal('Month'),
        Type.Literal('Quarter'),
        Type.Literal('Year'),
      ]),
    ),
    csvLimit: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  },
  Open,
);
export type MetricQuery = Static<typeof MetricQuerySchema>;
export type AdditionalMetric = NonNullable<MetricQuery['additionalMetrics']>[number];
export type CustomDimension = NonNullable<MetricQuery['customDimensions']>[number];
export type TableCalculation = NonNullable<MetricQuery['tableCalculations']>[number];
