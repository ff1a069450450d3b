import type { Group, Organization, Project, User, UserView } from '../../../core/directory/index.ts';
import { numberedPage } from '../../kit/index.ts';

/** Lightdash splits a name Rosetta keeps whole: the first word is the first name, the rest the last. */
export function nameParts(name: string): { firstName: string; lastName: string } {
  const [firstName = '', ...rest] = name.trim().split(/\s+/);
  return { firstName, lastName: rest.join(' ') };
}

export const joinedName = (firstName: string, lastName: string): string => `${firstName} ${lastName}`.trim();

/** The account setup answers `LightdashUser` shows (core `UserSettings`). */
export interface SetupFlags {
  isSetupComplete: boolean;
  isTrackingAnonymized: boolean;
  isMarketingOptedIn: boolean;
}

/** `LightdashUser` (spec §2.0.1): the caller's own profile, with its organization. */
export function lightdashUser(user: User, organization: Organization, setup?: SetupFlags) {
  return {
    userUuid: user.uuid,
    email: user.email,
    ...nameParts(user.name),
    organizationUuid: organization.uuid,
    organizationName: organization.name,
    isTrackingAnonymized: setup?.isTrackingAnonymized ?? false,
    isMarketingOptedIn: setup?.isMarketingOptedIn ?? false,
    isSetupComplete: setup?.isSetupComplete ?? true,
    role: organizationRole(user),
    isActive: user.status === 'active',
    isPending: user.status === 'pending',
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}

/** The Lightdash organization role: `member` is a user whose role reaches no project (issue 13). */
export const organizationRole = (user: Pick<UserView, 'role' | 'projectsByGrant'>) =>
  user.projectsByGrant ? ('member' as const) : user.role;

/**
 * `OrganizationMemberProfile`: another member as the caller may see them; the fields the core
 * keeps from the caller (email, role, status for a viewer) are left out rather than made up.
 */
export function memberProfile(user: UserView, organization: Organization) {
  return {
    userUuid: user.uuid,
    ...nameParts(user.name),
    email: user.email,
    organizationUuid: organization.uuid,
    role: organizationRole(user),
    isActive: user.status === undefined ? undefined : user.status === 'active',
    isPending: user.status === undefined ? undefined : user.status === 'pending',
    userCreatedAt: user.createdAt,
    userUpdatedAt: user.updatedAt,
  };
}

/** `GroupMember`. */
export const groupMember = (user: UserView) => ({
  userUuid: user.uuid,
  email: user.email,
  ...nameParts(user.name),
});

/** `Group`; Rosetta does not record who created or changed a group. */
export const groupJson = (group: Group, organization: Organization) => ({
  uuid: group.uuid,
  name: group.name,
  organizationUuid: organization.uuid,
  createdAt: group.createdAt,
  createdByUserUuid: null,
  updatedAt: group.updatedAt,
  updatedByUserUuid: null,
});

/** `GroupWithMembers`. */
export const groupWithMembers = (group: Group, organization: Organization, members: UserView[]) => ({
  ...groupJson(group, organization),
  memberUuids: members.map((member) => member.uuid),
  members: members.map(groupMember),
});

/** A project's type: Rosetta has no preview projects, so each is a `DEFAULT` one. */
export const PROJECT_TYPE = 'DEFAULT';

/** `OrganizationProject`, with the project content is promoted to, if any. */
export const organizationProject = (project: Project, upstream: Project | null = null) => ({
  projectUuid: project.uuid,
  name: project.name,
  type: PROJECT_TYPE,
  createdByUserUuid: null,
  upstreamProjectUuid: upstream?.uuid ?? null,
  warehouseType: 'duckdb',
  requireUserCredentials: false,
});

/**
 * One page of a list (spec §1.6): pages only when both `page` and `pageSize` are given, as the
 * reference server does; otherwise every row, without `pagination`.
 */
export function pageOf<T>(rows: T[], page?: number, pageSize?: number) {
  if (page === undefined || pageSize === undefined) return { data: rows };
  const numbered = numberedPage(rows, page, pageSize);
  return {
    data: numbered.items,
    pagination: {
      page,
      pageSize,
      totalResults: numbered.totalResults,
      totalPageCount: numbered.totalPages,
    },
  };
}
