import { Type } from 'typebox';
import type { ModelInput, ModelService } from '../../core/data/index.ts';
import { aggregations } from '../../core/query/index.ts';
import { listReply, PageQuery } from '../kit/paging.ts';
import { type App, principalOf } from '../server.ts';
import { AccessBody, ProjectIdField, ProjectQuery, projectFilter } from './schemas.ts';

/**
 * Models under /api. Permissions are enforced by the ModelService: read viewer+, write
 * developer+. The schema checks shapes; the service checks every table, column and metric
 * reference against the warehouse and answers 400 naming the JSON path.
 */
const Params = Type.Object({ id: Type.String({ minLength: 1 }) });
const Name = Type.String({ minLength: 1, maxLength: 128 });
const Policy = Type.Object(
  { field: Type.String(), attribute: Type.String() },
  { additionalProperties: false },
);

const Table = Type.Union([
  Type.Object(
    { name: Name, schema: Type.Optional(Type.String()), table: Type.String() },
    { additionalProperties: false },
  ),
  Type.Object({ name: Name, sql: Type.String() }, { additionalProperties: false }),
  Type.Object({ name: Name, dataSource: Type.String() }, { additionalProperties: false }),
]);

const Join = Type.Object(
  {
    table: Type.String(),
    type: Type.Union([
      Type.Literal('left'),
      Type.Literal('inner'),
      Type.Literal('right'),
      Type.Literal('full'),
    ]),
    on: Type.Array(
      Type.Object({ left: Type.String(), right: Type.String() }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);

const ColumnType = Type.Union(
  ['string', 'integer', 'number', 'boolean', 'date', 'datetime', 'json'].map((t) => Type.Literal(t)),
);

const Dimension = Type.Object(
  {
    name: Name,
    table: Type.String(),
    column: Type.Optional(Type.String({ description: 'The column the field reads, or give `sql`' })),
    sql: Type.Optional(
      Type.String({
        description:
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder syntax of developer SQL
          'An SQL expression over the model (`${TABLE}.price * ${TABLE}.quantity`; `${TABLE}` is this table, `${orders}` another), with its `type`',
      }),
    ),
    type: Type.Optional(ColumnType),
    label: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const Metric = Type.Object(
  {
    name: Name,
    table: Type.String(),
    label: Type.Optional(Type.String()),
    aggregation: Type.Optional(Type.Union(aggregations.map((a) => Type.Literal(a)))),
    column: Type.Optional(Type.String()),
    percentile: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'The fraction, with "aggregation": "percentile"' }),
    ),
    formula: Type.Optional(Type.String()),
    sql: Type.Optional(
      Type.String({
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder syntax of developer SQL
        description: 'An SQL aggregate expression (`SUM(${TABLE}.price) / NULLIF(COUNT(*), 0)`)',
      }),
    ),
    type: Type.Optional(
      Type.Union([Type.Literal('number'), Type.Literal('integer')], { description: 'What `sql` computes' }),
    ),
  },
  { additionalProperties: false },
);

const modelFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  connectionId: Type.Integer({ minimum: 1 }),
  baseTable: Type.String(),
  tables: Type.Array(Table, { minItems: 1 }),
  joins: Type.Optional(Type.Array(Join)),
  dimensions: Type.Optional(Type.Array(Dimension)),
  metrics: Type.Optional(Type.Array(Metric)),
  policies: Type.Optional(Type.Array(Policy)),
  projectId: Type.Optional(ProjectIdField),
};

const CreateBody = Type.Object(modelFields, { additionalProperties: false });
const PatchBody = Type.Partial(CreateBody);

/** The schema's literal unions are checked by AJV; the service re-checks every value. */
function toInput(body: Partial<Record<keyof typeof modelFields, unknown>>): Partial<ModelInput> {
  return body as Partial<ModelInput>;
}

export function registerModelRoutes(app: App, deps: { models: ModelService }): void {
  const { models } = deps;

  app.get(
    '/models',
    { schema: { querystring: Type.Object({ ...PageQuery, ...ProjectQuery }) } },
    async (request) =>
      listReply(
        await models.list(principalOf(request), { projectId: projectFilter(request.query) }),
        request.query,
      ),
  );

  app.get('/models/:id', { schema: { params: Params } }, async (request) =>
    models.get(principalOf(request), request.params.id),
  );

  app.post('/models', { schema: { body: CreateBody } }, async (request, reply) => {
    const input = {
      joins: [],
      dimensions: [],
      metrics: [],
      policies: [],
      ...toInput(request.body),
    } as ModelInput;
    return reply.status(201).send(await models.create(principalOf(request), input));
  });

  app.patch('/models/:id', { schema: { params: Params, body: PatchBody } }, async (request) =>
    models.update(principalOf(request), request.params.id, toInput(request.body)),
  );

  app.put('/models/:id/access', { schema: { params: Params, body: AccessBody } }, async (request) =>
    models.setAccess(principalOf(request), request.params.id, request.body.access),
  );

  app.delete('/models/:id', { schema: { params: Params } }, async (request, reply) => {
    await models.delete(principalOf(request), request.params.id);
    return reply.status(204).send();
  });
}
