import type { Store } from '../../store/database.ts';
import { recordAudit } from '../audit/index.ts';
import { authorize, can } from '../auth/authorize.ts';
import type { Attributes, Principal } from '../auth/principal.ts';
import { notFound, validationError } from '../errors.ts';
import { createDomainEvents, type DomainEvents } from '../events.ts';
import { byId, type Page, type PageRequest, type PageWindow, pageFromRows, pageWindow } from '../paging.ts';
import { type AttributeEntry, setAttributeEntries } from './attribute-entries.ts';
import { importUserAttributes, readWhole, type SourceReader } from './attribute-import.ts';
import * as values from './attribute-values.ts';
import * as attributes from './attributes.ts';
import * as groups from './groups.ts';
import { getDefaultProject, getOrganization, renameOrganization } from './organizations.ts';
import { createProjectAccessService, type ProjectAccessService } from './project-access.ts';
import { createProjectService, type ProjectService } from './projects.ts';
import { createTableSelectionService, type TableSelectionService } from './table-selection.ts';
import type {
  AttributeDefinition,
  AttributeDefinitionInput,
  AttributeInput,
  Group,
  GroupInput,
  NewUser,
  Organization,
  Project,
  User,
  UserChanges,
  UserFilter,
  UserView,
} from './types.ts';
import * as read from './users-read.ts';
import * as write from './users-write.ts';
import { normalizeEmail, validId } from './validation.ts';
import { shownTo } from './visibility.ts';

/**
 * The directory as the faces see it: every call takes the caller's principal, authorizes the
 * action (`directory.read`, `directory.manage`, `profile.edit`) and works inside the caller's
 * organization. Every user of the organization may list the others, but sees of them only what
 * their role allows (visibility.ts): names for all, emails, roles and status from editors up,
 * the rest for admins. Reading other users' attributes is for admins, or the user themself.
 * Changes of rights (roles, status, passwords set by an admin, groups, attributes) are audited.
 */
export interface DirectoryService {
  defaultProject(principal: Principal): Promise<Project>;
  getOrganization(principal: Principal): Promise<Organization>;
  renameOrganization(principal: Principal, name: string): Promise<Organization>;
  /** The organization's projects (projects.ts). */
  projects: ProjectService;
  /** Per-project roles of users and groups (project-access.ts). */
  projectAccess: ProjectAccessService;
  /** The tables each project's explore list offers (table-selection.ts). */
  tableSelections: TableSelectionService;

  createUser(principal: Principal, input: NewUser): Promise<User>;
  /** The caller's own user, whole. */
  getSelf(principal: Principal): Promise<User>;
  listUsers(principal: Principal, filter?: UserFilter): Promise<UserView[]>;
  /** One page of users in id order; `filter` pages by `offset` or `page` by cursor, not both. */
  pageUsers(principal: Principal, filter: UserFilter, page: PageRequest): Promise<Page<UserView>>;
  getUser(principal: Principal, id: number): Promise<UserView>;
  getUserByUuid(principal: Principal, uuid: string): Promise<UserView>;
  /** Looking a user up by email is a test of who has an account: for those who may see emails. */
  getUserByEmail(principal: Principal, email: string): Promise<UserView>;
  /** A change of one's own password needs `currentPassword`. */
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
  listMembers(principal: Principal, groupId: number): Promise<UserView[]>;

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
  /** The users and groups holding one attribute, with their values (admins). */
  getAttributeHolders(principal: Principal, definitionId: number): Promise<values.AttributeHolders>;
  /** Replaces who holds one attribute and with which values; their other attributes stay (admins). */
  setAttributeHolders(
    principal: Principal,
    definitionId: number,
    holders: values.AttributeHolders,
  ): Promise<values.AttributeHolders>;
  /** Sets several (attribute, user or group) entries at once, all or none (attribute-entries.ts; admins). */
  setAttributeEntries(principal: Principal, entries: readonly AttributeEntry[]): Promise<void>;
  /** Each row of the source (a `login` column, one row per user) sets that user's attributes. */
  importAttributesFromSource(principal: Principal, sourceRef: string): Promise<{ users: number }>;
}

export function createDirectoryService(
  store: Store,
  options: {
    /** The data module's reader; a directory alone (no data module) knows no source. */
    readSource?: SourceReader;
    /** Where deletions are announced; a private bus by default. */
    events?: DomainEvents;
  } = {},
): DirectoryService {
  const { db } = store;
  const events = options.events ?? createDomainEvents();
  // Each guard authorizes an action and yields the caller's organization, so a use case cannot
  // be reached without both.
  const guard = (p: Principal, action: 'directory.read' | 'directory.manage') => {
    authorize(p, action);
    return p.organizationId;
  };
  const member = (p: Principal) => guard(p, 'directory.read');
  const admin = (p: Principal) => guard(p, 'directory.manage');
  const selfOrAdmin = (p: Principal, userId: number) => (p.userId === userId ? member(p) : admin(p));
  const listUsers = (p: Principal, filter: UserFilter, window?: PageWindow) => {
    const organizationId = member(p);
    // Who may not see statuses may not filter on them either; nor search what they may not see.
    if (filter.status !== undefined) authorize(p, 'directory.contacts');
    const searchEmails = can(p, 'directory.contacts');
    return read.listUsers(db, organizationId, filter, { searchEmails, window });
  };
  const shown = async <T extends User | User[]>(p: Principal, found: Promise<T>) => {
    const view = shownTo(p);
    const result = await found;
    return (Array.isArray(result) ? result.map(view) : view(result)) as T extends User[]
      ? UserView[]
      : UserView;
  };
  // Everyone may change their own name, password and timezone; rights and status are for admins.
  const userEditor = (p: Principal, id: number, changes: UserChanges) => {
    const rights = [changes.role, changes.status, changes.projectsByGrant];
    if (p.userId !== id || rights.some((change) => change !== undefined)) return admin(p);
    authorize(p, 'profile.edit');
    return p.organizationId;
  };
  const audit = (p: Principal, action: string, target: { type: string; id: number }, details = {}) =>
    recordAudit(db, p, { action, target, details });
  const audited =
    <T>(p: Principal, action: string, target: (result: T) => { type: string; id: number }, details: object) =>
    async (result: T): Promise<T> => {
      await audit(p, action, target(result), details);
      return result;
    };

  const service: DirectoryService = {
    defaultProject: (p) => getDefaultProject(db, member(p)),
    projects: createProjectService(db, events),
    projectAccess: createProjectAccessService(db),
    tableSelections: createTableSelectionService(db),
    getOrganization: async (p) => getOrganization(db, member(p)),
    renameOrganization: async (p, name) => {
      authorize(p, 'organization.manage');
      const before = await getOrganization(db, p.organizationId);
      const renamed = await renameOrganization(db, p.organizationId, name);
      if (renamed.name !== before.name)
        await audit(
          p,
          'organization.rename',
          { type: 'organization', id: renamed.id },
          {
            before: before.name,
            after: renamed.name,
          },
        );
      return renamed;
    },

    createUser: async (p, input) =>
      write.insertUser(db, admin(p), input).then(
        audited(p, 'user.create', (u) => ({ type: 'user', id: u.id }), {
          email: input.email,
          role: input.role,
        }),
      ),
    getSelf: async (p) => read.getUserById(db, member(p), p.userId),
    listUsers: async (p, filter = {}) => shown(p, listUsers(p, filter)),
    pageUsers: async (p, filter, page) => {
      const window = pageWindow(page);
      return pageFromRows(await shown(p, listUsers(p, filter, window)), window, byId);
    },
    getUser: async (p, id) => shown(p, read.getUserById(db, member(p), validId('id', id))),
    getUserByUuid: async (p, uuid) => {
      if (typeof uuid !== 'string' || uuid.length > 64) throw validationError('uuid', 'is not a uuid');
      return shown(p, read.getUserByUuid(db, member(p), uuid));
    },
    getUserByEmail: async (p, email) => {
      const organizationId = member(p);
      const normalized = normalizeEmail(email);
      if (normalized !== p.email) authorize(p, 'directory.contacts');
      return shown(p, read.getUserByEmail(db, organizationId, normalized));
    },
    updateUser: async (p, id, changes) => {
      const organizationId = userEditor(p, id, changes);
      const before = await read.getUserById(db, organizationId, validId('id', id));
      if (changes.password !== undefined && p.userId === before.id)
        await write.checkCurrentPassword(db, organizationId, before.id, changes.currentPassword);
      const updated = await write.updateUser(db, organizationId, before.id, changes, {
        keepSession: p.userId === before.id ? p.sessionHash : undefined,
      });
      const rights: Record<string, unknown> = {};
      if (updated.role !== before.role) rights.role = { before: before.role, after: updated.role };
      if (updated.status !== before.status) rights.status = { before: before.status, after: updated.status };
      if (updated.projectsByGrant !== before.projectsByGrant)
        rights.projectsByGrant = { before: before.projectsByGrant, after: updated.projectsByGrant };
      if (changes.password !== undefined) rights.password = p.userId === before.id ? 'changed' : 'reset';
      if (Object.keys(rights).length > 0)
        await audit(p, 'user.update', { type: 'user', id: before.id }, rights);
      return updated;
    },
    deleteUser: async (p, id) =>
      write
        .deleteUser(db, admin(p), validId('id', id))
        .then(audited(p, 'user.delete', (u) => ({ type: 'user', id: u.id }), {})),
    restoreUser: async (p, id) =>
      write
        .restoreUser(db, admin(p), validId('id', id))
        .then(audited(p, 'user.restore', (u) => ({ type: 'user', id: u.id }), {})),

    createGroup: async (p, input) =>
      groups
        .createGroup(db, admin(p), input)
        .then(audited(p, 'group.create', (g) => ({ type: 'group', id: g.id }), { name: input.name })),
    listGroups: async (p) => groups.listGroups(db, member(p)),
    getGroup: async (p, id) => groups.getGroup(db, member(p), validId('id', id)),
    updateGroup: async (p, id, input) => groups.updateGroup(db, admin(p), validId('id', id), input),
    deleteGroup: async (p, id) => {
      await groups.deleteGroup(db, admin(p), validId('id', id));
      await audit(p, 'group.delete', { type: 'group', id });
      await events.emit('objectPurged', { organizationId: p.organizationId, kind: 'group', id });
    },
    addMember: async (p, groupId, userId) => {
      await groups.addMember(db, admin(p), validId('groupId', groupId), validId('userId', userId));
      await audit(p, 'group.member_add', { type: 'group', id: groupId }, { userId });
    },
    removeMember: async (p, groupId, userId) => {
      await groups.removeMember(db, admin(p), validId('groupId', groupId), validId('userId', userId));
      await audit(p, 'group.member_remove', { type: 'group', id: groupId }, { userId });
    },
    listMembers: async (p, groupId) =>
      shown(p, groups.listMembers(db, member(p), validId('groupId', groupId))),

    defineAttribute: async (p, input) =>
      attributes
        .defineAttribute(db, admin(p), input)
        .then(audited(p, 'attribute.define', (d) => ({ type: 'attribute', id: d.id }), { key: input.key })),
    listAttributeDefinitions: async (p) => attributes.listAttributeDefinitions(db, member(p)),
    getAttributeDefinition: async (p, id) =>
      attributes.getAttributeDefinition(db, member(p), validId('id', id)),
    updateAttributeDefinition: async (p, id, input) =>
      attributes.updateAttributeDefinition(db, admin(p), validId('id', id), input),
    deleteAttributeDefinition: async (p, id) => {
      await attributes.deleteAttributeDefinition(db, admin(p), validId('id', id));
      await audit(p, 'attribute.delete', { type: 'attribute', id });
    },
    getUserAttributes: async (p, userId) =>
      values.getAttributes(db, selfOrAdmin(p, userId), 'user', validId('userId', userId)),
    setUserAttributes: async (p, userId, input) =>
      values
        .setAttributes(db, admin(p), 'user', validId('userId', userId), input)
        .then(audited(p, 'user.attributes', () => ({ type: 'user', id: userId }), { values: input })),
    getGroupAttributes: async (p, groupId) =>
      values.getAttributes(db, admin(p), 'group', validId('groupId', groupId)),
    setGroupAttributes: async (p, groupId, input) =>
      values
        .setAttributes(db, admin(p), 'group', validId('groupId', groupId), input)
        .then(audited(p, 'group.attributes', () => ({ type: 'group', id: groupId }), { values: input })),
    effectiveAttributes: async (p, userId) => {
      await read.getUserById(db, selfOrAdmin(p, userId), validId('userId', userId));
      return values.effectiveAttributes(db, userId);
    },
    getAttributeHolders: async (p, definitionId) =>
      values.getAttributeHolders(db, admin(p), validId('id', definitionId)),
    setAttributeHolders: async (p, definitionId, holders) =>
      values
        .setAttributeHolders(db, admin(p), validId('id', definitionId), holders)
        .then(audited(p, 'attribute.holders', () => ({ type: 'attribute', id: definitionId }), { holders })),
    setAttributeEntries: async (p, entries) => {
      await setAttributeEntries(db, admin(p), entries);
      for (const entry of entries)
        await audit(
          p,
          `${entry.subject}.attributes`,
          { type: entry.subject, id: entry.subjectId },
          {
            definitionId: entry.definitionId,
            values: entry.values,
          },
        );
    },
    importAttributesFromSource: async (p, sourceRef) => {
      admin(p);
      if (!options.readSource) throw notFound('data source', sourceRef);
      return importUserAttributes(service, p, await readWhole(options.readSource, p, sourceRef));
    },
  };
  return service;
}
