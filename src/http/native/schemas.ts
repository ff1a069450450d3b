import { Type } from 'typebox';
import { operators } from '../../core/query/index.ts';
import { PageQuery } from '../kit/paging.ts';

/** Schemas shared by several native routes. */
export const RefSchema = Type.Union([
  Type.Integer({ minimum: 1 }),
  Type.String({ minLength: 1, maxLength: 64 }),
]);
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** `projectId` of a create or update body: a project of the caller's organization. */
export const ProjectIdField = Type.Integer({
  minimum: 1,
  description: "A project of the caller's organization; default: the folder's, or the default project",
});

/** The `?project=` filter of a list, spread into its querystring schema. */
export const ProjectQuery = {
  project: Type.Optional(
    Type.String({ pattern: '^[0-9]{1,9}$', description: 'Only the items of this project (its integer id)' }),
  ),
};

/** The project a list asks for, if any. */
export const projectFilter = (query: { project?: string }): number | undefined =>
  query.project === undefined ? undefined : Number(query.project);

/** The query string of a list of filed content (dashboards, charts): folder, project, page. */
export const FiledListQuery = Type.Object({
  folderId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  ...PageQuery,
  ...ProjectQuery,
});

/** The folder and project a list of filed content asks for. */
export const filedListFilter = (query: { folderId?: string; project?: string }) => ({
  folderId: query.folderId,
  projectId: projectFilter(query),
});

/** `PUT …/access` of data sources and models: who may query them (core/data/access.ts). */
export const AccessBody = Type.Object(
  {
    access: Type.Array(
      Type.Object(
        {
          subject: Type.Union([Type.Literal('user'), Type.Literal('group')]),
          id: Type.Integer({ minimum: 1 }),
          level: Type.Union([Type.Literal('query'), Type.Literal('edit')]),
        },
        { additionalProperties: false },
      ),
      { maxItems: 500, description: 'Empty: everyone of the organization whose role allows it' },
    ),
  },
  { additionalProperties: false },
);

/**
 * The one operator vocabulary of query filters, schedule filters and (with aliases) alert
 * conditions, as one `enum` in the OpenAPI document.
 */
export const FilterOperator = Type.Enum(operators, { description: 'a query filter operator' });

const columnType = Type.Union([
  Type.Literal('string'),
  Type.Literal('integer'),
  Type.Literal('number'),
  Type.Literal('boolean'),
  Type.Literal('date'),
  Type.Literal('datetime'),
  Type.Literal('json'),
]);

/**
 * A result column: its name and type, and what the query core says it is (core/query/columns.ts).
 * `id` equals `name`; a pivot's spread column says which metric and pivot values it is for.
 */
export const ResultColumnSchema = Type.Object({
  name: Type.String(),
  type: columnType,
  nativeType: Type.Optional(Type.String({ description: "The engine's own type name" })),
  id: Type.Optional(Type.String({ description: 'The stable output id (= name)' })),
  kind: Type.Optional(
    Type.Union([Type.Literal('dimension'), Type.Literal('metric'), Type.Literal('calculation')]),
  ),
  label: Type.Optional(Type.String({ description: "The model's label of the field or metric" })),
  format: Type.Optional(
    Type.Union(
      [Type.Literal('percent'), Type.Literal('integer'), Type.Literal('date'), Type.Literal('datetime')],
      {
        description: 'percent: a 0–1 ratio shown ×100 %',
      },
    ),
  ),
  pivot: Type.Optional(
    Type.Object(
      { metric: Type.String(), values: Type.Array(Type.Unknown()) },
      { description: "A pivot's spread column: its metric and the pivot dimensions' values" },
    ),
  ),
});

const answerRow = Type.Record(Type.String(), Type.Unknown());

/** What `totals` and `pivot` add to a query answer (POST /api/query, widgets, charts). */
export const QueryAnswerExtras = {
  totals: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), {
      description:
        'With `totals`: each metric over every row the filters keep (row policies on, not cut by the row cap); in a pivot also each spread column',
    }),
  ),
  subtotals: Type.Optional(
    Type.Record(Type.String(), Type.Array(answerRow), {
      description:
        'With `totals.subtotals`: per dimension id, its values with the metrics grouped by it alone',
    }),
  ),
  pivot: Type.Optional(
    Type.Object(
      {
        rows: Type.Array(Type.String()),
        columns: Type.Array(Type.String()),
        metrics: Type.Array(Type.String()),
        values: Type.Array(Type.Array(Type.Unknown())),
      },
      {
        description:
          'With `pivot`: the row dimension, pivot dimension and metric ids, and the value combinations spread into columns `<metric>|<v1>[|<v2>…]` (NULL written ∅)',
      },
    ),
  ),
};
