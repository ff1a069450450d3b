import { type Static, Type } from 'typebox';
import type { Principal } from '../../../core/auth/index.ts';
import type { AttributeDefinition, AttributeHolders } from '../../../core/directory/index.ts';
import { notFound, validationError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { renameFields } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import { ok } from './envelope.ts';

const AttributeUuid = Type.Object({ userAttributeUuid: Type.String({ maxLength: 64 }) });
const AttributeBody = Type.Object({
  name: Type.String({ maxLength: 64 }),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
  attributeDefault: Type.Union([Type.String(), Type.Null()]),
  users: Type.Array(Type.Object({ userUuid: Type.String({ maxLength: 64 }), value: Type.String() }), {
    maxItems: 10_000,
  }),
  groups: Type.Array(Type.Object({ groupUuid: Type.String({ maxLength: 64 }), value: Type.String() }), {
    maxItems: 10_000,
  }),
});
type AttributeBody = Static<typeof AttributeBody>;

/**
 * `/v1/org/attributes`: Lightdash user attributes are Rosetta's typed attributes of type
 * `string`, named by their key; `users` and `groups` are who holds them, and `attributeDefault`
 * what everyone else holds (the core's default).
 */
export function registerAttributeRoutes(app: App, services: Pick<Services, 'directory'>): void {
  const { directory } = services;

  const definitionByUuid = async (principal: Principal, uuid: string) => {
    const found = (await directory.listAttributeDefinitions(principal)).find((d) => d.uuid === uuid);
    if (!found) throw notFound('user attribute', uuid);
    return found;
  };

  /** `UserAttribute`: the definition with its holders named by uuid. */
  const attributeJson = async (
    principal: Principal,
    definition: AttributeDefinition,
    holders: AttributeHolders,
  ) => {
    const [organization, users, groups] = await Promise.all([
      directory.getOrganization(principal),
      directory.listUsers(principal),
      directory.listGroups(principal),
    ]);
    const userById = new Map(users.map((user) => [user.id, user]));
    const groupById = new Map(groups.map((group) => [group.id, group]));
    return {
      uuid: definition.uuid,
      name: definition.key,
      description: definition.description,
      organizationUuid: organization.uuid,
      createdAt: definition.createdAt,
      attributeDefault: definition.defaultValue,
      users: holders.users.flatMap(({ userId, value }) => {
        const user = userById.get(userId);
        return user ? [{ userUuid: user.uuid, email: user.email, value }] : [];
      }),
      groups: holders.groups.flatMap(({ groupId, value }) => {
        const group = groupById.get(groupId);
        return group ? [{ groupUuid: group.uuid, value }] : [];
      }),
    };
  };

  /** The body's holders by Rosetta id; an unknown uuid is a 404 naming its entry. */
  const holdersOf = async (principal: Principal, body: AttributeBody): Promise<AttributeHolders> => {
    const groups = await directory.listGroups(principal);
    return {
      users: await Promise.all(
        body.users.map(async ({ userUuid, value }, index) => {
          const user = await directory.getUserByUuid(principal, userUuid).catch((error: unknown) => {
            throw renameFields(error, () => `users[${index}].userUuid`);
          });
          return { userId: user.id, value };
        }),
      ),
      groups: body.groups.map(({ groupUuid, value }) => {
        const group = groups.find((g) => g.uuid === groupUuid);
        if (!group) throw notFound('group', groupUuid);
        return { groupId: group.id, value };
      }),
    };
  };
  const lightdashField: Record<string, string> = { key: 'name', defaultValue: 'attributeDefault' };
  const asLightdash = (error: unknown) => renameFields(error, (field) => lightdashField[field] ?? field);

  app.get('/v1/org/attributes', async (request) => {
    const principal = principalOf(request);
    const definitions = await directory.listAttributeDefinitions(principal);
    return ok(
      await Promise.all(
        definitions.map(async (definition) =>
          attributeJson(principal, definition, await directory.getAttributeHolders(principal, definition.id)),
        ),
      ),
    );
  });

  app.post('/v1/org/attributes', { schema: { body: AttributeBody } }, async (request, reply) => {
    const principal = principalOf(request);
    const holders = await holdersOf(principal, request.body);
    const definition = await directory
      .defineAttribute(principal, {
        key: request.body.name,
        type: 'string',
        description: request.body.description ?? '',
        defaultValue: request.body.attributeDefault,
      })
      .catch((error: unknown) => {
        throw asLightdash(error);
      });
    const held = await directory
      .setAttributeHolders(principal, definition.id, holders)
      .catch(async (error: unknown) => {
        await directory.deleteAttributeDefinition(principal, definition.id);
        throw error;
      });
    return reply.status(201).send(ok(await attributeJson(principal, definition, held)));
  });

  app.put(
    '/v1/org/attributes/:userAttributeUuid',
    { schema: { params: AttributeUuid, body: AttributeBody } },
    async (request, reply) => {
      const principal = principalOf(request);
      const current = await definitionByUuid(principal, request.params.userAttributeUuid);
      if (request.body.name !== current.key)
        throw validationError('name', 'cannot change: row policies refer to the attribute by its name');
      const holders = await holdersOf(principal, request.body);
      const definition = await directory
        .updateAttributeDefinition(principal, current.id, {
          description: request.body.description ?? '',
          defaultValue: request.body.attributeDefault,
        })
        .catch((error: unknown) => {
          throw asLightdash(error);
        });
      const held = await directory.setAttributeHolders(principal, definition.id, holders);
      return reply.status(201).send(ok(await attributeJson(principal, definition, held)));
    },
  );

  app.delete(
    '/v1/org/attributes/:userAttributeUuid',
    { schema: { params: AttributeUuid } },
    async (request) => {
      const principal = principalOf(request);
      const definition = await definitionByUuid(principal, request.params.userAttributeUuid);
      await directory.deleteAttributeDefinition(principal, definition.id);
      return ok();
    },
  );
}
