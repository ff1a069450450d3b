import { Type } from 'typebox';
import type { DirectoryService } from '../../core/directory/index.ts';
import { listReply, NextField, PageQuery } from '../kit/paging.ts';
import { type App, principalOf } from '../server.ts';
// Schema errors as coded 400s naming the field; shared with the content routes (belongs in server.ts).
import { IdParams } from './users.ts';

const AttributeType = Type.Union([
  Type.Literal('string'),
  Type.Literal('number'),
  Type.Literal('boolean'),
  Type.Literal('date'),
]);

const DefinitionSchema = Type.Object({
  id: Type.Integer(),
  uuid: Type.String(),
  key: Type.String(),
  type: AttributeType,
  description: Type.String(),
  defaultValue: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

/** What users hold when neither they nor their groups hold a value; null: nothing. */
const DefaultValue = Type.Union([
  Type.String({ maxLength: 1000 }),
  Type.Number(),
  Type.Boolean(),
  Type.Null(),
]);
const DefinitionCreateBody = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 64 }),
    type: AttributeType,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    defaultValue: Type.Optional(DefaultValue),
  },
  { additionalProperties: false },
);
const DefinitionPatchBody = Type.Object(
  {
    type: Type.Optional(AttributeType),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    defaultValue: Type.Optional(DefaultValue),
  },
  { additionalProperties: false, minProperties: 1 },
);

const Scalar = Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Boolean()]);
/** `{"attributes": {"region": ["EU", "US"], "quota": 10}}`: one value or a list per key. */
const ValuesBody = Type.Object(
  {
    attributes: Type.Record(
      Type.String({ maxLength: 64 }),
      Type.Union([Scalar, Type.Array(Scalar, { maxItems: 1000 })]),
      {
        maxProperties: 200,
      },
    ),
  },
  { additionalProperties: false },
);
const Values = Type.Record(Type.String(), Type.Array(Type.String()));
const ValuesAnswer = Type.Object({ attributes: Values });
const UserValuesAnswer = Type.Object({ attributes: Values, effective: Values });

/**
 * Attribute definitions under `/attributes`; values under `/users/:id/attributes` and
 * `/groups/:id/attributes` (PUT replaces every value of the subject; `effective` applies the
 * merge rule: a user's own values override, otherwise the union of their groups' values, otherwise
 * the attribute's `defaultValue`).
 */
export function registerAttributeRoutes(app: App, deps: { directory: DirectoryService }): void {
  const { directory } = deps;
  const item = { 200: DefinitionSchema };

  app.get(
    '/attributes',
    {
      schema: {
        querystring: Type.Object(PageQuery),
        response: { 200: Type.Object({ items: Type.Array(DefinitionSchema), ...NextField }) },
      },
    },
    async (request) =>
      listReply(await directory.listAttributeDefinitions(principalOf(request)), request.query),
  );

  app.post(
    '/attributes',
    { schema: { body: DefinitionCreateBody, response: { 201: DefinitionSchema } } },
    async (request, reply) =>
      reply.status(201).send(await directory.defineAttribute(principalOf(request), request.body)),
  );

  app.get('/attributes/:id', { schema: { params: IdParams, response: item } }, async (request) =>
    directory.getAttributeDefinition(principalOf(request), Number(request.params.id)),
  );

  app.patch(
    '/attributes/:id',
    { schema: { params: IdParams, body: DefinitionPatchBody, response: item } },
    async (request) =>
      directory.updateAttributeDefinition(principalOf(request), Number(request.params.id), request.body),
  );

  app.delete('/attributes/:id', { schema: { params: IdParams } }, async (request, reply) => {
    await directory.deleteAttributeDefinition(principalOf(request), Number(request.params.id));
    return reply.status(204).send();
  });

  app.get(
    '/users/:id/attributes',
    { schema: { params: IdParams, response: { 200: UserValuesAnswer } } },
    async (request) => {
      const principal = principalOf(request);
      const id = Number(request.params.id);
      return {
        attributes: await directory.getUserAttributes(principal, id),
        effective: await directory.effectiveAttributes(principal, id),
      };
    },
  );

  app.put(
    '/users/:id/attributes',
    { schema: { params: IdParams, body: ValuesBody, response: { 200: ValuesAnswer } } },
    async (request) => ({
      attributes: await directory.setUserAttributes(
        principalOf(request),
        Number(request.params.id),
        request.body.attributes,
      ),
    }),
  );

  app.get(
    '/groups/:id/attributes',
    { schema: { params: IdParams, response: { 200: ValuesAnswer } } },
    async (request) => ({
      attributes: await directory.getGroupAttributes(principalOf(request), Number(request.params.id)),
    }),
  );

  app.put(
    '/groups/:id/attributes',
    { schema: { params: IdParams, body: ValuesBody, response: { 200: ValuesAnswer } } },
    async (request) => ({
      attributes: await directory.setGroupAttributes(
        principalOf(request),
        Number(request.params.id),
        request.body.attributes,
      ),
    }),
  );
}
