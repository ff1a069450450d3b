import type { Role } from '../../../core/auth/index.ts';
import type { Group, UserStatus, UserView } from '../../../core/directory/index.ts';
import { forbidden, RosettaError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { type CursorQuery, type Cursors, cursorPage } from './paging.ts';

/** What the directory routes of the face call. */
export type DirectoryPort = Pick<Services, 'directory' | 'auth'>;

/** Holistics' `UserRole`. */
export type HolisticsRole = 'user' | 'explorer' | 'analyst' | 'admin' | 'growth_admin' | 'it_admin';

/**
 * Rosetta roles as Holistics names them. An `editor` (dashboards, no models) shows as `explorer`:
 * of Holistics' roles it is the nearest one that cannot model, so a client writing back the role
 * it read can only narrow a user, never widen them to `analyst` (developer).
 */
const HOLISTICS_ROLE: Record<Role, HolisticsRole> = {
  viewer: 'user',
  interactive_viewer: 'explorer',
  editor: 'explorer',
  developer: 'analyst',
  admin: 'admin',
};

/** Holistics roles as Rosetta roles; the narrower admin kinds are Rosetta admins. */
const ROSETTA_ROLE: Record<HolisticsRole, Role> = {
  user: 'viewer',
  explorer: 'interactive_viewer',
  analyst: 'developer',
  admin: 'admin',
  growth_admin: 'admin',
  it_admin: 'admin',
};

export const holisticsRole = (role: Role): HolisticsRole => HOLISTICS_ROLE[role];
export const rosettaRole = (role: HolisticsRole): Role => ROSETTA_ROLE[role];

/** Up to two capitals from the name's words (`Ada Lovelace` → `AL`), else the email's first letter. */
export function initialsOf(name: string, email: string): string {
  const letters = name
    .split(/[\s._-]+/)
    .filter((word) => word.length > 0)
    .slice(0, 2)
    .map((word) => [...word][0]);
  return (letters.length > 0 ? letters.join('') : ([...email][0] ?? '')).toUpperCase();
}

/** A user as the core showed them to an admin: every field Holistics' `User` requires. */
type FullView = UserView & { email: string; role: Role; status: UserStatus; createdAt: string };

const isFull = (user: UserView): user is FullView =>
  user.email !== undefined &&
  user.role !== undefined &&
  user.status !== undefined &&
  user.createdAt !== undefined;

/**
 * Holistics' `User`. It carries what Rosetta shows of other users only to admins (visibility.ts);
 * a user the core showed in part cannot be rendered, so the caller may not see it (403).
 * Rosetta lets every user hold API keys and export what they can see, so both flags are true;
 * Rosetta keeps no titles. One sign-in time is kept: it is both the current and the last one.
 */
export function userJson(user: UserView, hasToken: boolean) {
  if (!isFull(user)) throw forbidden("see other users' details (manage users, groups and attributes)");
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    initials: initialsOf(user.name, user.email),
    role: holisticsRole(user.role),
    is_deleted: user.status === 'deleted',
    // Activated: signed up (set a password); an invited user stays pending until then.
    is_activated: user.hasPassword ?? user.status !== 'pending',
    has_authentication_token: hasToken,
    allow_authentication_token: true,
    enable_export_data: true,
    current_sign_in_at: user.lastLoginAt ?? null,
    last_sign_in_at: user.lastLoginAt ?? null,
    created_at: user.createdAt,
    title: null,
    job_title: null,
  };
}

export { type Memberships, membershipsOf } from '../../../core/directory/index.ts';

/** Holistics' `Group`: its name and its members' ids. */
export const groupJson = (group: Group, userIds: number[]) => ({
  id: group.id,
  name: group.name,
  user_ids: userIds,
});

export const message = (text: string) => ({ message: text });

/** A request for what Rosetta does not do: Holistics' 422 `InvalidOperationError`, naming the field. */
export const unsupported = (field: string, problem: string) =>
  new RosettaError('ERR_VALIDATION', `${field}: ${problem}`, field, {
    reason: 'feature.not_configured',
    problem,
  });

/**
 * One page of `items` in the order `compare` gives (ties broken by id, as Holistics documents).
 * The id order pages by id, so pages stay put while items come and go; any other order pages by
 * position in it (a cursor is then a place in the sorted list).
 */
export function pageInOrder<T extends { id: number }>(
  items: readonly T[],
  query: CursorQuery,
  compare?: (a: T, b: T) => number,
): { items: T[]; cursors: Cursors } {
  if (!compare) return cursorPage(items, query, (item) => item.id);
  const ranked = [...items]
    .sort((a, b) => compare(a, b) || a.id - b.id)
    .map((item, index) => ({ item, rank: index + 1 }));
  const page = cursorPage(ranked, query, (entry) => entry.rank);
  return { items: page.items.map((entry) => entry.item), cursors: page.cursors };
}
