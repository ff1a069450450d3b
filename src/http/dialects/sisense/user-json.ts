import { Type } from 'typebox';
import type { Principal } from '../../../core/auth/index.ts';
import {
  membershipsOf as coreMemberships,
  type Memberships,
  type User,
  type UserView,
} from '../../../core/directory/index.ts';
import { notFound, RosettaError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { hex24Codec } from '../../kit/index.ts';
import { roleIdOf, roleName } from './roles.ts';

export type DirectoryPorts = Pick<Services, 'directory' | 'externalIds'>;

/** A Rosetta name as Sisense's first and last name: the last word is the last name. */
export function nameParts(name: string): { firstName: string; lastName: string } {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length < 2) return { firstName: words[0] ?? '', lastName: '' };
  return { firstName: words.slice(0, -1).join(' '), lastName: words[words.length - 1] };
}

export const joinedName = (firstName = '', lastName = ''): string => `${firstName} ${lastName}`.trim();

/** Who belongs to which group, both ways. */
export const membershipsOf = (ports: DirectoryPorts, principal: Principal): Promise<Memberships> =>
  coreMemberships(ports.directory, principal);
export type { Memberships };

export const userCodec = (ports: Pick<Services, 'externalIds'>) => hex24Codec(ports.externalIds, 'user');
export const groupCodec = (ports: Pick<Services, 'externalIds'>) => hex24Codec(ports.externalIds, 'group');

/** The oids of groups given by Rosetta id (the codec reads only the organization and the id). */
export const groupOids = (ports: DirectoryPorts, organizationId: number, ids: readonly number[]) =>
  groupCodec(ports).encodeAll(ids.map((id) => ({ organizationId, id, uuid: '' })));

/**
 * Sisense's user object. Rosetta signs users in by email and keeps no separate user name, so
 * `userName` is the email; `active` is false for invited users who have not set a password yet.
 * Fields the caller may not see (another user's email or role, for non-admins) are left out.
 */
export async function sisenseUser(ports: DirectoryPorts, user: User | UserView, groupIds: readonly number[]) {
  return {
    _id: await userCodec(ports).encode(user),
    ...(user.email !== undefined && { email: user.email, userName: user.email }),
    ...nameParts(user.name),
    ...(user.role !== undefined && { roleId: roleIdOf(user.role), roleName: roleName(user.role) }),
    groups: await groupOids(ports, user.organizationId, groupIds),
    ...(user.status !== undefined && { active: user.status === 'active' }),
    ...(user.createdAt !== undefined && { created: user.createdAt }),
    ...(user.updatedAt !== undefined && { lastUpdated: user.updatedAt }),
    ...(user.lastLoginAt !== undefined && { lastLogin: user.lastLoginAt }),
    ...(user.timezone !== undefined && { preferences: { timezone: user.timezone } }),
  };
}

/** What to add and what to remove to go from `current` to `wanted`. */
export const diff = (current: readonly number[], wanted: readonly number[]) => ({
  added: wanted.filter((id) => !current.includes(id)),
  removed: current.filter((id) => !wanted.includes(id)),
});

/** Adds and removes memberships through the core (which checks the caller may manage groups). */
export async function changeMemberships(
  ports: DirectoryPorts,
  principal: Principal,
  { added, removed }: ReturnType<typeof diff>,
  membership: (id: number) => { groupId: number; userId: number },
): Promise<void> {
  for (const { groupId, userId } of added.map(membership))
    await ports.directory.addMember(principal, groupId, userId);
  for (const { groupId, userId } of removed.map(membership))
    await ports.directory.removeMember(principal, groupId, userId);
}

/**
 * The Rosetta ids of a list of oids of one kind (`field[i]` named when malformed, 404 when one
 * names nothing), without repeats.
 */
export async function idsOfOids(
  codec: ReturnType<typeof userCodec>,
  organizationId: number,
  oids: readonly unknown[],
  field: string,
  what: 'user' | 'group',
): Promise<number[]> {
  const ids: number[] = [];
  for (const [i, oid] of oids.entries()) {
    const id = await codec.decode(organizationId, oid, `${field}[${i}]`);
    if (id === undefined) throw notFound(what, String(oid));
    ids.push(Number(id));
  }
  return [...new Set(ids)];
}

/**
 * The query string of a list or read route: each named parameter at most once, as text (a
 * repeated or nested parameter is a 400 naming it). Unnamed parameters pass untouched.
 */
export const queryOf = (names: readonly string[]) =>
  Type.Object(
    Object.fromEntries(names.map((name) => [name, Type.Optional(Type.String({ maxLength: 10_000 }))])),
  );

/** The list options of every REST v1 list (catalogue §1.3). */
export const LIST_OPTIONS = ['ids', 'fields', 'sort', 'skip', 'limit', 'expand'] as const;

/**
 * Sisense's application codes of the user errors (catalogue §1.5), carried in the error's
 * details for the envelope to write instead of its default code for the status.
 */
export const USER_NOT_FOUND = 2001;
export const USER_EXISTS = 2004;

export const sisenseCoded = (
  code: 'ERR_NOT_FOUND' | 'ERR_CONFLICT',
  message: string,
  sisenseCode: number,
  field?: string,
): RosettaError => new RosettaError(code, message, field, { details: { sisenseCode } });
