import type { Principal } from '../auth/index.ts';
import type { DirectoryService } from './service.ts';
import type { Group } from './types.ts';

/** The organization's groups with their members, both ways (the directory answers members per group). */
export interface Memberships {
  groups: Group[];
  usersOf: Map<number, number[]>;
  groupsOf: Map<number, number[]>;
}

export async function membershipsOf(
  directory: Pick<DirectoryService, 'listGroups' | 'listMembers'>,
  principal: Principal,
): Promise<Memberships> {
  const groups = await directory.listGroups(principal);
  const members = await Promise.all(groups.map((group) => directory.listMembers(principal, group.id)));
  const usersOf = new Map<number, number[]>();
  const groupsOf = new Map<number, number[]>();
  groups.forEach((group, i) => {
    const userIds = members[i].map((user) => user.id);
    usersOf.set(group.id, userIds);
    for (const userId of userIds) groupsOf.set(userId, [...(groupsOf.get(userId) ?? []), group.id]);
  });
  return { groups, usersOf, groupsOf };
}
