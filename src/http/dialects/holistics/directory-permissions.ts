import { permissionsByOperation } from './routes.ts';

/**
 * The directory's rows of the permission table, with the native routes' actions. Users_List
 * answers the user fields Rosetta shows admins only (visibility.ts), so it is `directory.manage`;
 * the email lookup is `directory.read` and the core asks `directory.contacts` for any email but
 * the caller's own (a lookup tells who has an account); revoking API keys is `apikey.own`
 * (the core asks `apikey.all` for another user's keys); entries and computed values are read as
 * `directory.read` and the core lets users read their own and admins everyone's.
 */
export const directoryPermissions = permissionsByOperation({
  Users_List: 'directory.manage',
  Users_Update: 'profile.edit',
  Users_Delete: 'directory.manage',
  Users_Invite: 'directory.manage',
  Users_Restore: 'directory.manage',
  Users_ResendInvite: 'directory.manage',
  Users_CheckHolisticsUser: 'directory.read',
  Users_Me: 'directory.read',
  Groups_List: 'directory.read',
  Groups_Create: 'directory.manage',
  Groups_Get: 'directory.read',
  Groups_Update: 'directory.manage',
  Groups_Delete: 'directory.manage',
  Groups_AddUser: 'directory.manage',
  Groups_RemoveUser: 'directory.manage',
  UserAttributes_List: 'directory.read',
  UserAttributes_Create: 'directory.manage',
  UserAttributes_Update: 'directory.manage',
  UserAttributes_Delete: 'directory.manage',
  UserAttributeEntries_List: 'directory.read',
  UserAttributeEntries_ComputedValues: 'directory.read',
  UserAttributeEntries_Upsert: 'directory.manage',
  // Last of the table: a caller revoking its own key ends it (see permissions.ts).
  Users_RevokeAuthenticationToken: 'apikey.own',
});
