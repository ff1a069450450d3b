import { Type } from 'typebox';
import { can, type Principal, type Role } from '../../../core/auth/index.ts';
import type { NewUser, User, UserChanges, UserStatus, UserView } from '../../../core/directory/index.ts';
import { isRosettaError, validationError } from '../../../core/errors.ts';
import { type App, principalOf } from '../../server.ts';
import { notAvailable } from './authentication.ts';
import { applyListOptions, type SisenseListQuery } from './list-options.ts';
import { roleJson, roleOf } from './roles.ts';
import {
  changeMemberships,
  type DirectoryPorts,
  diff,
  groupCodec,
  idsOfOids,
  joinedName,
  LIST_OPTIONS,
  type Memberships,
  membershipsOf,
  nameParts,
  queryOf,
  sisenseCoded,
  sisenseUser,
  USER_EXISTS,
  USER_NOT_FOUND,
  userCodec,
} from './user-json.ts';

const Name = Type.String({ maxLength: 100 });
const Oid = Type.String({ pattern: '^[0-9a-fA-F]{24}$' });

/** The fields of Sisense's user object Rosetta keeps; others (`preferences`, read-only ones) are ignored. */
const UserFields = {
  email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
  userName: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
  firstName: Type.Optional(Name),
  lastName: Type.Optional(Name),
  roleId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  groups: Type.Optional(Type.Array(Oid, { maxItems: 1000 })),
  password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  active: Type.Optional(Type.Boolean()),
};
const NewUserBody = Type.Object({ ...UserFields, email: Type.String({ minLength: 1, maxLength: 254 }) });
const UserPatch = Type.Object(UserFields);
type UserInput = Partial<
  Record<'email' | 'userName' | 'firstName' | 'lastName' | 'roleId' | 'password', string>
> & {
  groups?: string[];
  active?: boolean;
};

interface UsersQuery extends SisenseListQuery {
  userName?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  roleId?: string;
  groupId?: string;
  active?: string;
  origin?: string;
  expand?: string;
}

type Id = { Params: { id: string } };
const UsersQuerySchema = queryOf([
  ...LIST_OPTIONS,
  'userName',
  'email',
  'firstName',
  'lastName',
  'roleId',
  'groupId',
  'active',
  'origin',
]);
/** The core's longest list page. */
const CORE_PAGE = 1000;

/** Rosetta signs users in by email: a `userName` is accepted only when it is the email. */
function checkedUserName(input: UserInput, email: string | undefined, field = 'userName'): void {
  if (input.userName !== undefined && input.userName.trim().toLowerCase() !== email?.trim().toLowerCase())
    throw validationError(field, 'must be the email: Rosetta users sign in with their email');
}

/** The group ids a `groups` array of oids names (each must exist). */
const groupIdsOf = (ports: DirectoryPorts, principal: Principal, oids: readonly string[], field: string) =>
  idsOfOids(groupCodec(ports), principal.organizationId, oids, field, 'group');

/** The user an `:id` names, or 404. */
export async function userOf(ports: DirectoryPorts, principal: Principal, oid: string): Promise<UserView> {
  const id = await userCodec(ports).decode(principal.organizationId, oid, 'id');
  // Rosetta keeps deleted users (they can be restored); to Sisense they are gone.
  const user = id === undefined ? undefined : await ports.directory.getUser(principal, Number(id));
  if (user === undefined || user.status === 'deleted')
    throw sisenseCoded('ERR_NOT_FOUND', `User not found: ${oid}`, USER_NOT_FOUND);
  return user;
}

/** Makes the user's groups exactly `wanted`. */
const setGroups = (
  ports: DirectoryPorts,
  principal: Principal,
  userId: number,
  current: number[],
  wanted: number[],
) => changeMemberships(ports, principal, diff(current, wanted), (groupId) => ({ groupId, userId }));

/** Validates a new user before anything is written (bulk creation checks every item first). */
async function newUserOf(ports: DirectoryPorts, principal: Principal, input: UserInput, prefix = '') {
  checkedUserName(input, input.email, `${prefix}userName`);
  if (input.active === false) throw validationError(`${prefix}active`, 'a new user cannot be inactive');
  const user: NewUser = {
    email: input.email as string,
    // Without a name the core names the user after their email.
    ...(joinedName(input.firstName, input.lastName) && { name: joinedName(input.firstName, input.lastName) }),
    // Sisense's default role is its viewer, `consumer`.
    role: input.roleId === undefined ? 'interactive_viewer' : roleOf(input.roleId, `${prefix}roleId`),
    // Without a password the user is pending until activated (`/account/begin_activate`).
    ...(input.password !== undefined && { password: input.password }),
  };
  const groupIds = await groupIdsOf(ports, principal, input.groups ?? [], `${prefix}groups`);
  return { user, groupIds };
}

/** Whether any user (deleted ones too: they can be restored) holds the email. */
const emailTaken = (ports: DirectoryPorts, principal: Principal, email: string) =>
  ports.directory.getUserByEmail(principal, email).then(
    () => true,
    (error: unknown) => {
      if (isRosettaError(error) && error.code === 'ERR_NOT_FOUND') return false;
      throw error;
    },
  );

async function createUser(
  ports: DirectoryPorts,
  principal: Principal,
  input: Awaited<ReturnType<typeof newUserOf>>,
) {
  const created = await ports.directory.createUser(principal, input.user).catch((error: unknown) => {
    if (isRosettaError(error) && error.code === 'ERR_CONFLICT' && error.field === 'email')
      throw sisenseCoded(
        'ERR_CONFLICT',
        `The user already exists: ${input.user.email}`,
        USER_EXISTS,
        'email',
      );
    throw error;
  });
  await setGroups(ports, principal, created.id, [], input.groupIds);
  return sisenseUser(ports, created, input.groupIds);
}

/**
 * Every user but deleted ones (the core lists in pages). Callers who may see statuses list the
 * active and pending ones; the others list without a status, which leaves deleted users out too.
 */
async function everyUser(ports: DirectoryPorts, principal: Principal): Promise<UserView[]> {
  const statuses: (UserStatus | undefined)[] = can(principal, 'directory.contacts')
    ? ['active', 'pending']
    : [undefined];
  const users: UserView[] = [];
  for (const status of statuses)
    for (let offset = 0; ; offset += CORE_PAGE) {
      const page = await ports.directory.listUsers(principal, { status, limit: CORE_PAGE, offset });
      users.push(...page);
      if (page.length < CORE_PAGE) break;
    }
  return users;
}

/** USR-01's filters on the users Rosetta holds; `origin=ad` matches none (no Active Directory). */
async function matching(
  ports: DirectoryPorts,
  principal: Principal,
  query: UsersQuery,
  memberships: Memberships,
) {
  const same = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();
  if (query.active !== undefined && query.active !== 'true' && query.active !== 'false')
    throw validationError('active', 'must be true or false');
  if (query.origin !== undefined && query.origin !== 'ad' && query.origin !== 'sisense')
    throw validationError('origin', 'must be ad or sisense');
  const role: Role | undefined = query.roleId === undefined ? undefined : roleOf(query.roleId, 'roleId');
  const groupId =
    query.groupId === undefined
      ? undefined
      : await groupCodec(ports).decode(principal.organizationId, query.groupId, 'groupId');
  // An unknown group has no members; Active Directory users do not exist here.
  if (query.origin === 'ad' || (query.groupId !== undefined && groupId === undefined)) return [];
  return (await everyUser(ports, principal)).filter((user) => {
    const { firstName, lastName } = nameParts(user.name);
    return (
      (query.userName === undefined || same(user.email, query.userName)) &&
      (query.email === undefined || same(user.email, query.email)) &&
      (query.firstName === undefined || same(firstName, query.firstName)) &&
      (query.lastName === undefined || same(lastName, query.lastName)) &&
      (role === undefined || user.role === role) &&
      (groupId === undefined || (memberships.groupsOf.get(user.id) ?? []).includes(Number(groupId))) &&
      (query.active === undefined || (user.status === 'active') === (query.active === 'true'))
    );
  });
}

/** `expand=groups,role`: group objects instead of oids, and the role object beside `roleId`. */
function expansions(value: string | undefined): Set<string> {
  const names = new Set((value ?? '').split(',').filter(Boolean));
  for (const name of names)
    if (name !== 'groups' && name !== 'role') throw validationError('expand', 'must be groups and/or role');
  return names;
}

async function expanded(
  ports: DirectoryPorts,
  user: UserView,
  memberships: Memberships,
  expand: Set<string>,
) {
  const groupIds = memberships.groupsOf.get(user.id) ?? [];
  const json: Record<string, unknown> = await sisenseUser(ports, user, groupIds);
  if (expand.has('groups')) {
    const groups = memberships.groups.filter((group) => groupIds.includes(group.id));
    const oids = await groupCodec(ports).encodeAll(groups);
    json.groups = groups.map((group, i) => ({ _id: oids[i], name: group.name }));
  }
  if (expand.has('role') && user.role !== undefined) json.role = roleJson(user.role);
  return json;
}

async function patchUser(ports: DirectoryPorts, principal: Principal, oid: string, input: UserInput) {
  const before = await userOf(ports, principal, oid);
  if (input.email !== undefined && input.email.trim().toLowerCase() !== before.email)
    throw validationError('email', 'cannot be changed: Rosetta users sign in with it');
  checkedUserName(input, before.email);
  if (input.active !== undefined && input.active !== (before.status === 'active'))
    throw validationError('active', 'follows the user: active once a password is set; DELETE removes a user');
  const current = nameParts(before.name);
  const changes: UserChanges = {
    ...((input.firstName !== undefined || input.lastName !== undefined) && {
      name: joinedName(input.firstName ?? current.firstName, input.lastName ?? current.lastName),
    }),
    ...(input.roleId !== undefined && { role: roleOf(input.roleId, 'roleId') }),
    ...(input.password !== undefined && { password: input.password }),
  };
  const wantedGroups = input.groups && (await groupIdsOf(ports, principal, input.groups, 'groups'));
  const updated: User | UserView =
    Object.keys(changes).length > 0
      ? await ports.directory.updateUser(principal, before.id, changes)
      : before;
  const memberships = await membershipsOf(ports, principal);
  const currentGroups = memberships.groupsOf.get(before.id) ?? [];
  if (wantedGroups) await setGroups(ports, principal, before.id, currentGroups, wantedGroups);
  return sisenseUser(ports, updated, wantedGroups ?? currentGroups);
}

/** Users (USR-01, USR-F1..F3 and by id): Rosetta's directory as Sisense's users. */
export function registerUserRoutes(app: App, ports: DirectoryPorts): void {
  app.get<{ Querystring: UsersQuery }>(
    '/api/v1/users',
    { schema: { querystring: UsersQuerySchema } },
    async (request) => {
      const principal = principalOf(request);
      const expand = expansions(request.query.expand);
      const memberships = await membershipsOf(ports, principal);
      const users = await matching(ports, principal, request.query, memberships);
      const listed = await Promise.all(users.map((user) => expanded(ports, user, memberships, expand)));
      return applyListOptions(listed, request.query);
    },
  );

  app.post('/api/v1/users', { schema: { body: NewUserBody } }, async (request, reply) => {
    const principal = principalOf(request);
    const user = await createUser(ports, principal, await newUserOf(ports, principal, request.body));
    return reply.code(201).send(user);
  });

  app.post(
    '/api/v1/users/bulk',
    { schema: { body: Type.Array(NewUserBody, { minItems: 1, maxItems: 500 }) } },
    async (request, reply) => {
      const principal = principalOf(request);
      const inputs = [];
      const emails = new Set<string>();
      for (const [i, input] of request.body.entries()) {
        // A taken or repeated email is refused up front, so a bulk creates all its users or none.
        const email = input.email.trim().toLowerCase();
        if (emails.has(email) || (await emailTaken(ports, principal, email)))
          throw sisenseCoded(
            'ERR_CONFLICT',
            `The user already exists: ${email}`,
            USER_EXISTS,
            `[${i}].email`,
          );
        emails.add(email);
        inputs.push(await newUserOf(ports, principal, input, `[${i}].`));
      }
      const created = [];
      for (const input of inputs) created.push(await createUser(ports, principal, input));
      return reply.code(201).send(created);
    },
  );

  app.post('/api/v1/users/ad', async () => {
    throw notAvailable('Active Directory');
  });

  app.get<Id & { Querystring: { expand?: string } }>(
    '/api/v1/users/:id',
    { schema: { querystring: queryOf(['expand']) } },
    async (request) => {
      const principal = principalOf(request);
      const expand = expansions(request.query.expand);
      const user = await userOf(ports, principal, request.params.id);
      return expanded(ports, user, await membershipsOf(ports, principal), expand);
    },
  );

  app.patch<Id>('/api/v1/users/:id', { schema: { body: UserPatch } }, async (request) =>
    patchUser(ports, principalOf(request), request.params.id, request.body as UserInput),
  );

  app.delete<Id>('/api/v1/users/:id', async (request, reply) => {
    const principal = principalOf(request);
    const user = await userOf(ports, principal, request.params.id);
    await ports.directory.deleteUser(principal, user.id);
    return reply.code(204).send();
  });
}
