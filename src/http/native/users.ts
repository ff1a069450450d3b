import { Type } from 'typebox';
import type { DirectoryService } from '../../core/directory/index.ts';
import { NextField, PageQuery, pageRequestOf } from '../kit/paging.ts';
import { type App, principalOf } from '../server.ts';
// Schema errors as coded 400s naming the field; shared with the content routes (belongs in server.ts).

/** Shared by the directory's routes: ids in paths are positive integers. */
export const IdParams = Type.Object({ id: Type.String({ pattern: '^[1-9][0-9]{0,9}$' }) });

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
export const RoleSchema = Type.Union([
  Type.Literal('viewer'),
  Type.Literal('interactive_viewer'),
  Type.Literal('editor'),
  Type.Literal('developer'),
  Type.Literal('admin'),
]);
const SettableStatus = Type.Union([Type.Literal('active'), Type.Literal('pending')]);
const Status = Type.Union([Type.Literal('active'), Type.Literal('pending'), Type.Literal('deleted')]);

/** The user as every native route renders it; serialization drops anything not listed here. */
export const UserSchema = Type.Object({
  id: Type.Integer(),
  uuid: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  status: Status,
  timezone: Type.String(),
  hasPassword: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  lastLoginAt: nullable(Type.String()),
});

/**
 * Another user as the caller may see them (core/directory/visibility.ts): id, uuid and name
 * always; email, role and status for editors and up; the rest for admins and oneself.
 */
const UserViewSchema = Type.Object({
  ...Type.Partial(Type.Omit(UserSchema, ['id', 'uuid', 'name'])).properties,
  id: Type.Integer(),
  uuid: Type.String(),
  name: Type.String(),
});

export const UserList = Type.Object({ items: Type.Array(UserViewSchema), ...NextField });

const UserCreateBody = Type.Object(
  {
    email: Type.String({ maxLength: 254 }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    role: Type.Optional(RoleSchema),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    timezone: Type.Optional(Type.String({ maxLength: 64 })),
    status: Type.Optional(SettableStatus),
  },
  { additionalProperties: false },
);

const UserPatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    role: Type.Optional(RoleSchema),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    currentPassword: Type.Optional(Type.String({ maxLength: 1024 })),
    timezone: Type.Optional(Type.String({ maxLength: 64 })),
    status: Type.Optional(SettableStatus),
  },
  { additionalProperties: false, minProperties: 1 },
);

const UserQuery = Type.Object(
  {
    status: Type.Optional(Status),
    search: Type.Optional(Type.String({ maxLength: 200 })),
    ...PageQuery,
    offset: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,9}$', description: 'Skips that many users; instead of `after`' }),
    ),
  },
  { additionalProperties: false },
);

/**
 * Users under `/users`; deleting is soft (`status: deleted`) and undone by `POST /users/:id/restore`.
 * Changing one's own password takes `currentPassword` too.
 */
export function registerUserRoutes(app: App, deps: { directory: DirectoryService }): void {
  const { directory } = deps;

  app.get('/users', { schema: { querystring: UserQuery, response: { 200: UserList } } }, async (request) => {
    const { status, search, limit, offset, after } = request.query;
    const principal = principalOf(request);
    const skip = offset === undefined ? undefined : Number(offset);
    // `limit` with `offset` is the older paging, answered as it always was.
    if (after !== undefined || (limit !== undefined && skip === undefined))
      return directory.pageUsers(principal, { status, search, offset: skip }, pageRequestOf(request.query));
    const filter = { status, search, limit: limit === undefined ? undefined : Number(limit), offset: skip };
    return { items: await directory.listUsers(principal, filter) };
  });

  app.post(
    '/users',
    { schema: { body: UserCreateBody, response: { 201: UserSchema } } },
    async (request, reply) =>
      reply.status(201).send(await directory.createUser(principalOf(request), request.body)),
  );

  app.get(
    '/users/:id',
    { schema: { params: IdParams, response: { 200: UserViewSchema } } },
    async (request) => directory.getUser(principalOf(request), Number(request.params.id)),
  );

  app.patch(
    '/users/:id',
    { schema: { params: IdParams, body: UserPatchBody, response: { 200: UserSchema } } },
    async (request) => directory.updateUser(principalOf(request), Number(request.params.id), request.body),
  );

  app.delete('/users/:id', { schema: { params: IdParams, response: { 200: UserSchema } } }, async (request) =>
    directory.deleteUser(principalOf(request), Number(request.params.id)),
  );

  app.post(
    '/users/:id/restore',
    { schema: { params: IdParams, response: { 200: UserSchema } } },
    async (request) => directory.restoreUser(principalOf(request), Number(request.params.id)),
  );
}
