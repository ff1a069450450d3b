import type { Store } from '../../store/database.ts';
import {
  canEditOwnProfile,
  canManageAttributes,
  canManageGroups,
  canManageUsers,
  ensure,
} from '../auth/permissions.ts';
import type { Attributes, Principal } from '../auth/principal.ts';
import { validationError } from '../errors.ts';
import * as values from './attribute-values.ts';
import * as attributes from './attributes.ts';
import * as groups from './groups.ts';
import { getDefaultProject } from './organizations.ts';
import type {
  AttributeDefinition,
  AttributeDefinitionInput,
  AttributeInput,
  Group,
  GroupInput,
  NewUser,
  Project,
  User,
  UserChanges,
  UserFilter,
} from './types.ts';
import * as read from './users-read.ts';
import * as write from './users-write.ts';
import { normalizeEmail, validId } from './validation.ts';

/**
 * The directory as the faces see it: every call takes the caller's principal, checks the
 * permission (core/auth/permissions.ts) and works inside the caller's organization. Reading a
 * user is open to every user of the organization (names and emails appear on shared content);
 * reading other users' attributes is for admins, or the user themself.
 */
export interface DirectoryService {
  defaultProject(principal: Principal): Promise<Project>;

  createUser(principal: Principal, input: NewUser): Promise<User>;
  listUsers(principal: Principal, filter?: UserFilter): Promise<User[]>;
  getUser(principal: Principal, id: number): Promise<User>;
  getUserByUuid(principal: Principal, uuid: string): Promise<User>;
  getUserByEmail(principal: Principal, email: string): Promise<User>;
  updateUser(principal: Principal, id: number, changes: UserChanges): Promise<User>;
  deleteUser(principal: Principal, id: number): Promise<User>;
  restoreUser(principal: Principal, id: number): Promise<User>;

  createGroup(principal: Principal, input: GroupInput): Promise<Group>;
  listGroups(principal: Principal): Promise<Group[]>;
  getGroup(principal: Principal, id: number): Promise<Group>;
  updateGroup(principal: Principal, id: number, input: GroupInput): Promise<Group>;
  deleteGroup(principal: Principal, id: number): Promise<void>;
  addMember(principal: Principal, groupId: number, userId: number): Promise<void>;
  removeMember(principal: Principal, groupId: number, userId: number): Promise<void>;
  listMembers(principal: Principal, groupId: number): Promise<User[]>;

  defineAttribute(principal: Principal, input: AttributeDefinitionInput): Promise<AttributeDefinition>;
  listAttributeDefinitions(principal: Principal): Promise<AttributeDefinition[]>;
  getAttributeDefinition(principal: Principal, id: number): Promise<AttributeDefinition>;
  updateAttributeDefinition(
    principal: Principal,
    id: number,
    input: Omit<AttributeDefinitionInput, 'key'>,
  ): Promise<AttributeDefinition>;
  deleteAttributeDefinition(principal: Principal, id: number): Promise<void>;
  getUserAttributes(principal: Principal, userId: number): Promise<Attributes>;
  setUserAttributes(principal: Principal, userId: number, input: AttributeInput): Promise<Attributes>;
  getGroupAttributes(principal: Principal, groupId: number): Promise<Attributes>;
  setGroupAttributes(principal: Principal, groupId: number, input: AttributeInput): Promise<Attributes>;
  /** See attribute-values.ts for the merge rule (user values override group values per key). */
  effectiveAttributes(principal: Principal, userId: number): Promise<Attributes>;
}

export function createDirectoryService(store: Store): DirectoryService {
  const { db } = store;
  // Each guard checks a permission and yields the caller's organization, so a use case cannot
  // be reached without both.
  const member = (p: Principal) => p.organizationId;
  const guard = (p: Principal, ok: boolean, action: string) => {
    ensure(ok, action);
    return p.organizationId;
  };
  const userAdmin = (p: Principal) => guard(p, canManageUsers(p), 'manage users');
  const groupAdmin = (p: Principal) => guard(p, canManageGroups(p), 'manage groups');
  const attributeAdmin = (p: Principal) => guard(p, canManageAttributes(p), 'manage user attributes');
  const selfOrAdmin = (p: Principal, userId: number) =>
    guard(p, p.userId === userId || canManageUsers(p), 'read the attributes of another user');
  // Everyone may change their own name, password and timezone; role and status are for admins.
  const userEditor = (p: Principal, id: number, changes: UserChanges) =>
    canEditOwnProfile(p) && p.userId === id && changes.role === undefined && changes.status === undefined
      ? member(p)
      : userAdmin(p);

  return {
    defaultProject: (p) => getDefaultProject(db, member(p)),

    createUser: async (p, input) => write.insertUser(db, userAdmin(p), input),
    listUsers: async (p, filter) => read.listUsers(db, member(p), filter),
    getUser: async (p, id) => read.getUserById(db, member(p), validId('id', id)),
    getUserByUuid: async (p, uuid) => {
      if (typeof uuid !== 'string' || uuid.length > 64) throw validationError('uuid', 'is not a uuid');
      return read.getUserByUuid(db, member(p), uuid);
    },
    getUserByEmail: async (p, email) => read.getUserByEmail(db, member(p), normalizeEmail(email)),
    updateUser: async (p, id, changes) =>
      write.updateUser(db, userEditor(p, id, changes), validId('id', id), changes),
    deleteUser: async (p, id) => write.deleteUser(db, userAdmin(p), validId('id', id)),
    restoreUser: async (p, id) => write.restoreUser(db, userAdmin(p), validId('id', id)),

    createGroup: async (p, input) => groups.createGroup(db, groupAdmin(p), input),
    listGroups: async (p) => groups.listGroups(db, member(p)),
    getGroup: async (p, id) => groups.getGroup(db, member(p), validId('id', id)),
    updateGroup: async (p, id, input) => groups.updateGroup(db, groupAdmin(p), validId('id', id), input),
    deleteGroup: async (p, id) => groups.deleteGroup(db, groupAdmin(p), validId('id', id)),
    addMember: async (p, groupId, userId) =>
      groups.addMember(db, groupAdmin(p), validId('groupId', groupId), validId('userId', userId)),
    removeMember: async (p, groupId, userId) =>
      groups.removeMember(db, groupAdmin(p), validId('groupId', groupId), validId('userId', userId)),
    listMembers: async (p, groupId) => groups.listMembers(db, member(p), validId('groupId', groupId)),

    defineAttribute: async (p, input) => attributes.defineAttribute(db, attributeAdmin(p), input),
    listAttributeDefinitions: async (p) => attributes.listAttributeDefinitions(db, member(p)),
    getAttributeDefinition: async (p, id) =>
      attributes.getAttributeDefinition(db, member(p), validId('id', id)),
    updateAttributeDefinition: async (p, id, input) =>
      attributes.updateAttributeDefinition(db, attributeAdmin(p), validId('id', id), input),
    deleteAttributeDefinition: async (p, id) =>
      attributes.deleteAttributeDefinition(db, attributeAdmin(p), validId('id', id)),
    getUserAttributes: async (p, userId) =>
      values.getAttributes(db, selfOrAdmin(p, userId), 'user', validId('userId', userId)),
    setUserAttributes: async (p, userId, input) =>
      values.setAttributes(db, attributeAdmin(p), 'user', validId('userId', userId), input),
    getGroupAttributes: async (p, groupId) =>
      values.getAttributes(db, attributeAdmin(p), 'group', validId('groupId', groupId)),
    setGroupAttributes: async (p, groupId, input) =>
      values.setAttributes(db, attributeAdmin(p), 'group', validId('groupId', groupId), input),
    effectiveAttributes: async (p, userId) => {
      await read.getUserById(db, selfOrAdmin(p, userId), validId('userId', userId));
      return values.effectiveAttributes(db, userId);
    },
  };
}
