import { Type } from 'typebox';
import type { AuthService } from '../../core/auth/index.ts';
import { listReply, NextField, PageQuery } from '../kit/paging.ts';
import { type App, principalOf } from '../server.ts';
// Schema errors as coded 400s naming the field; shared with the content routes (belongs in server.ts).
import { IdParams } from './users.ts';

const ApiKeySchema = Type.Object({
  id: Type.Integer(),
  uuid: Type.String(),
  userId: Type.Integer(),
  name: Type.String(),
  prefix: Type.String(),
  dataSourceIds: Type.Union([Type.Array(Type.Integer()), Type.Null()]),
  createdAt: Type.String(),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

const CreatedApiKey = Type.Object({ ...ApiKeySchema.properties, key: Type.String() });

const ApiKeyCreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    expiresAt: Type.Optional(Type.String({ maxLength: 64 })),
    userId: Type.Optional(Type.Integer({ minimum: 1 })),
    dataSourceIds: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 1000 })),
  },
  { additionalProperties: false },
);

const SourceId = Type.Integer({ minimum: 1 });

const ApiKeyPatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    dataSourceIds: Type.Optional(
      Type.Union([Type.Array(SourceId, { maxItems: 1000, description: 'replaces the list' }), Type.Null()]),
    ),
    addDataSourceId: Type.Optional(SourceId),
    removeDataSourceId: Type.Optional(SourceId),
  },
  { additionalProperties: false },
);

const ApiKeyQuery = Type.Object(
  { userId: Type.Optional(IdParams.properties.id), ...PageQuery },
  { additionalProperties: false },
);

/**
 * API keys under `/api-keys`: the caller's own by default, another user's with `userId` (admins).
 * The plain key is in the creation answer only; lists show its `prefix`.
 */
export function registerApiKeyRoutes(app: App, deps: { auth: AuthService }): void {
  const { auth } = deps;

  app.get(
    '/api-keys',
    {
      schema: {
        querystring: ApiKeyQuery,
        response: { 200: Type.Object({ items: Type.Array(ApiKeySchema), ...NextField }) },
      },
    },
    async (request) => {
      const { userId } = request.query;
      const keys = await auth.listApiKeys(
        principalOf(request),
        userId === undefined ? undefined : Number(userId),
      );
      return listReply(keys, request.query);
    },
  );

  app.post(
    '/api-keys',
    { schema: { body: ApiKeyCreateBody, response: { 201: CreatedApiKey } } },
    async (request, reply) => {
      const { key, apiKey } = await auth.createApiKey(principalOf(request), request.body);
      return reply.status(201).send({ ...apiKey, key });
    },
  );

  // Rename a key, or set, add or remove the data sources of a data-API key (full keys stay full).
  app.patch(
    '/api-keys/:id',
    { schema: { params: IdParams, body: ApiKeyPatchBody, response: { 200: ApiKeySchema } } },
    async (request) => auth.updateApiKey(principalOf(request), Number(request.params.id), request.body),
  );

  app.delete('/api-keys/:id', { schema: { params: IdParams } }, async (request, reply) => {
    await auth.revokeApiKey(principalOf(request), Number(request.params.id));
    return reply.status(204).send();
  });
}
