import { Type } from 'typebox';
import type { Principal } from '../../../core/auth/index.ts';
import { setFreeFormAttributes, type UserView } from '../../../core/directory/index.ts';
import { isRosettaError, notFound, validationError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { type App, principalOf } from '../../server.ts';
import { groupJson, metadataInput, roleOf, userJson } from './directory-json.ts';
import { listOf } from './source-json.ts';

const Uuid = Type.Object({ uuid: Type.String() });

const NewUser = Type.Object(
  {
    username: Type.String({ minLength: 1 }),
    password: Type.Optional(Type.String()),
    category: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const UserPut = Type.Object(
  { category: Type.Optional(Type.String()), login_metadata: Type.Optional(Type.Unknown()) },
  { additionalProperties: true },
);

/** `/api/user` and `/api/usersgroup`: the core directory; `login_metadata` = user attributes. */
export function registerDirectoryRoutes(app: App, services: Pick<Services, 'directory'>): void {
  const { directory } = services;

  // A user's `login_metadata` (attributes) is shown to whom the core lets read it (the user or an
  // admin); to other readers of the directory it is empty, as the native API lists users without it.
  const render = async (principal: Principal, user: UserView) =>
    userJson(
      user,
      await directory.getUserAttributes(principal, user.id).catch((error: unknown) => {
        if (isRosettaError(error) && error.code === 'ERR_FORBIDDEN') return {};
        throw error;
      }),
    );

  const groupByUuid = async (principal: Principal, uuid: string) => {
    const group = (await directory.listGroups(principal)).find((g) => g.uuid === uuid);
    if (!group) throw notFound('usersgroup', uuid);
    return group;
  };

  app.get('/user', async (request) => {
    const principal = principalOf(request);
    const users = await directory.listUsers(principal);
    return listOf(await Promise.all(users.map((user) => render(principal, user))));
  });
  const byName = Type.Object({ username: Type.String() }, { additionalProperties: true });
  for (const path of ['/user/byname', '/user/byname/']) {
    app.get(path, { schema: { querystring: byName } }, async (request) => {
      const principal = principalOf(request);
      return render(principal, await directory.getUserByEmail(principal, request.query.username));
    });
  }
  app.get('/user/:uuid', { schema: { params: Uuid } }, async (request) => {
    const principal = principalOf(request);
    return render(principal, await directory.getUserByUuid(principal, request.params.uuid));
  });
  app.post('/user', { schema: { body: NewUser } }, async (request, reply) => {
    const principal = principalOf(request);
    const { username, password, category } = request.body;
    const user = await directory.createUser(principal, {
      email: username,
      ...(password !== undefined && { password }),
      role: roleOf(category ?? 'viewer'),
    });
    return reply.status(201).send(await render(principal, user));
  });
  app.put('/user/:uuid', { schema: { params: Uuid, body: UserPut } }, async (request) => {
    const principal = principalOf(request);
    let user = await directory.getUserByUuid(principal, request.params.uuid);
    if (request.body.category !== undefined)
      user = await directory.updateUser(principal, user.id, { role: roleOf(request.body.category) });
    if (request.body.login_metadata !== undefined)
      await setFreeFormAttributes(directory, principal, user.id, metadataInput(request.body.login_metadata));
    return render(principal, user);
  });
  app.delete('/user/:uuid', { schema: { params: Uuid } }, async (request, reply) => {
    const principal = principalOf(request);
    await directory.deleteUser(principal, (await directory.getUserByUuid(principal, request.params.uuid)).id);
    return reply.status(204).send();
  });

  app.get('/usersgroup', async (request) =>
    listOf((await directory.listGroups(principalOf(request))).map(groupJson)),
  );
  app.get(
    '/usersgroup/byname',
    { schema: { querystring: Type.Object({ name: Type.String() }, { additionalProperties: true }) } },
    async (request) => {
      const group = (await directory.listGroups(principalOf(request))).find(
        (g) => g.name === request.query.name,
      );
      if (!group) throw notFound('usersgroup', request.query.name);
      return groupJson(group);
    },
  );
  app.post(
    '/usersgroup',
    {
      schema: { body: Type.Object({ name: Type.String({ minLength: 1 }) }, { additionalProperties: true }) },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(groupJson(await directory.createGroup(principalOf(request), { name: request.body.name }))),
  );
  const members = async (principal: Principal, uuid: string) => {
    const users = await directory.listMembers(principal, (await groupByUuid(principal, uuid)).id);
    return Promise.all(users.map((user) => render(principal, user)));
  };
  // The doc's own example reads the members as `objects` of the group itself.
  app.get('/usersgroup/:uuid', { schema: { params: Uuid } }, async (request) => {
    const principal = principalOf(request);
    const group = await groupByUuid(principal, request.params.uuid);
    return { ...groupJson(group), objects: await members(principal, group.uuid) };
  });
  app.get('/usersgroup/:uuid/list_of_users', { schema: { params: Uuid } }, async (request) =>
    listOf(await members(principalOf(request), request.params.uuid)),
  );
  app.post(
    '/usersgroup/:uuid/adduser',
    {
      schema: {
        params: Uuid,
        body: Type.Object({ username_to_add: Type.String() }, { additionalProperties: true }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const group = await groupByUuid(principal, request.params.uuid);
      const user = await directory.getUserByEmail(principal, request.body.username_to_add);
      await directory.addMember(principal, group.id, user.id);
      return reply.status(201).send({ status: 'ok' });
    },
  );
  app.post(
    '/usersgroup/:uuid/removeuser',
    {
      schema: {
        params: Uuid,
        body: Type.Object({ username_to_remove: Type.String() }, { additionalProperties: true }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const group = await groupByUuid(principal, request.params.uuid);
      const user = await directory.getUserByEmail(principal, request.body.username_to_remove);
      try {
        await directory.removeMember(principal, group.id, user.id);
      } catch (error) {
        // The doc answers 400 for "not in the group" (the core says: no such member).
        if (isRosettaError(error) && error.code === 'ERR_NOT_FOUND')
          throw validationError('username_to_remove', `${user.email} is not in the group`);
        throw error;
      }
      return reply.status(204).send();
    },
  );
  app.delete('/usersgroup/:uuid', { schema: { params: Uuid } }, async (request, reply) => {
    const principal = principalOf(request);
    await directory.deleteGroup(principal, (await groupByUuid(principal, request.params.uuid)).id);
    return reply.status(204).send();
  });
}
