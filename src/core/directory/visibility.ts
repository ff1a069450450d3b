import { can } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import type { User, UserView } from './types.ts';

/**
 * What one member of an organization sees of another. Everyone sees who the others are (id,
 * uuid, name: shared content names its owner); those who share content and pick recipients
 * (`directory.contacts`, editors up) also see how to reach them and whether they can sign in
 * (email, role, status); only admins (`directory.manage`) see the rest — timezone, password
 * state, dates and the last sign-in. Users always see all of themselves.
 */
export type UserTier = 'all' | 'contacts' | 'names';

export function userTierOf(principal: Principal): UserTier {
  if (can(principal, 'directory.manage')) return 'all';
  return can(principal, 'directory.contacts') ? 'contacts' : 'names';
}

export function shownTo(principal: Principal): (user: User) => UserView {
  const tier = userTierOf(principal);
  return (user) => {
    if (tier === 'all' || user.id === principal.userId) return user;
    const { id, uuid, organizationId, name } = user;
    if (tier === 'names') return { id, uuid, organizationId, name };
    const { email, role, projectsByGrant, status } = user;
    return { id, uuid, organizationId, name, email, role, projectsByGrant, status };
  };
}
