import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.ts';
import { effectiveAttributes } from '../directory/attribute-values.ts';
import { groupIdsOf } from '../directory/groups.ts';
import { getDefaultProject } from '../directory/organizations.ts';
import { projectRolesOf } from '../directory/project-access.ts';
import { findUserRow, type UserRow } from '../directory/users-read.ts';
import type { CredentialKind } from './actions.ts';
import { type Principal, type Role, roleAtMost } from './principal.ts';

type Db = Kysely<Database>;

/**
 * Builds the principal of a user: role, groups and effective attributes are read fresh on each
 * request, so a role change or a new attribute takes effect at once. The default project never
 * changes, so it is remembered per organization.
 */
export function createPrincipalResolver(db: Db) {
  const projects = new Map<number, number>();

  async function projectOf(organizationId: number): Promise<number> {
    let id = projects.get(organizationId);
    if (id === undefined) {
      id = (await getDefaultProject(db, organizationId)).id;
      projects.set(organizationId, id);
    }
    return id;
  }

  return async function principalOfUser(
    user: UserRow,
    credential: { kind: CredentialKind; apiKeyId?: number; dataSourceIds?: number[] } = { kind: 'session' },
  ): Promise<Principal> {
    const [projectId, groupIds, attributes] = await Promise.all([
      projectOf(user.organization_id),
      groupIdsOf(db, user.id),
      effectiveAttributes(db, user.id),
    ]);
    const projectRoles = await projectRolesOf(db, user.id, groupIds);
    const principal: Principal = {
      kind: credential.kind,
      userId: user.id,
      userUuid: user.uuid,
      email: user.email,
      organizationId: user.organization_id,
      projectId,
      role: user.role as Role,
      groupIds,
      attributes,
    };
    if (Object.keys(projectRoles).length > 0) principal.projectRoles = projectRoles;
    if (user.projects_by_grant === 1) principal.projectsByGrant = true;
    if (credential.apiKeyId !== undefined) principal.apiKeyId = credential.apiKeyId;
    if (credential.dataSourceIds !== undefined) {
      principal.dataSourceIds = credential.dataSourceIds;
      // A data-API key lists and queries its sources (its credential kind allows nothing else),
      // never more than its owner may: a viewer's key lists but runs no ad-hoc query.
      principal.role = roleAtMost(principal.role, 'interactive_viewer');
      if (principal.role !== user.role) principal.userRole = user.role as Role;
    }
    return principal;
  };
}

/**
 * The principal of an active user by id, for work the server does on a user's behalf later
 * (export jobs, schedule runs); undefined when the user is gone or no longer active.
 */
export function createUserPrincipalLookup(db: Db) {
  const principalOfUser = createPrincipalResolver(db);
  return async (organizationId: number, userId: number): Promise<Principal | undefined> => {
    const user = await findUserRow(db, organizationId, userId);
    return user?.status === 'active' ? principalOfUser(user) : undefined;
  };
}
