import type { FastifyRequest, FastifySchemaValidationError } from 'fastify';
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Principal } from '../../../core/auth/index.ts';
import type { AccessEntry, Folder, ViewedKind, ViewStats } from '../../../core/content/index.ts';
import type { Group, Organization, Project, UserView } from '../../../core/directory/index.ts';
import { notFound } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { fieldErrorFormatter } from '../../kit/index.ts';
import { principalOf } from '../../server.ts';
import { nameParts } from './shapes.ts';

/** The core services the content routes of the face (spaces, charts, dashboards) use; charts run queries. */
export type ContentPorts = Pick<Services, 'content' | 'directory' | 'data' | 'query'>;

/** The face's knobs content needs: a chart's `limit` is capped as an explore query's is. */
export interface ContentLimits {
  maxLimit: number;
}

export type SpaceMemberRole = 'viewer' | 'editor' | 'admin';

/**
 * What one request about a project's content needs beside the content itself: the project, its
 * organization, and the people its access lists name (read once, on first use).
 */
export class ContentContext {
  private people?: Promise<{ users: Map<number, UserView>; groups: Map<number, Group> }>;
  private visibleSpaces?: Promise<Folder[]>;
  private viewCounts = new Map<ViewedKind, Promise<Map<number, ViewStats>>>();

  private constructor(
    readonly ports: ContentPorts,
    readonly principal: Principal,
    readonly project: Project,
    readonly organization: Organization,
  ) {}

  /** An unknown project uuid, or another organization's, is a 404 `NotExistsError`. */
  static async open(ports: ContentPorts, principal: Principal, projectUuid: string): Promise<ContentContext> {
    const [project, organization] = await Promise.all([
      ports.directory.projects.getByUuid(principal, projectUuid),
      ports.directory.getOrganization(principal),
    ]);
    return new ContentContext(ports, principal, project, organization);
  }

  /** The context of content addressed without its project (`/saved/{uuid}`, `/dashboards/{uuid}`). */
  static async ofProjectId(ports: ContentPorts, principal: Principal, projectId: number) {
    const [project, organization] = await Promise.all([
      ports.directory.projects.get(principal, projectId),
      ports.directory.getOrganization(principal),
    ]);
    return new ContentContext(ports, principal, project, organization);
  }

  /** The spaces of the project the caller sees: its dashboard folders (read once per request). */
  spaces(): Promise<Folder[]> {
    this.visibleSpaces ??= this.ports.content.folders.list(this.principal, {
      kind: 'dashboard',
      projectId: this.project.id,
    });
    return this.visibleSpaces;
  }

  /** A space of this project; unknown, invisible, of another project or not a space: 404. */
  async space(spaceUuid: string): Promise<Folder> {
    const folder = await this.ports.content.folders.get(this.principal, spaceUuid);
    if (folder.kind !== 'dashboard' || folder.projectId !== this.project.id)
      throw notFound('space', spaceUuid);
    return folder;
  }

  /**
   * `views` and `firstViewedAt` of a chart or dashboard as the core counts them (read once per
   * request and kind). One never opened shows its creation time: clients parse it as a date.
   */
  async viewsOf(kind: ViewedKind, item: { id: number; createdAt: string }) {
    let counts = this.viewCounts.get(kind);
    if (!counts) {
      counts = this.ports.content.views.statsOf(this.principal, kind);
      this.viewCounts.set(kind, counts);
    }
    const stats = (await counts).get(item.id);
    return { views: stats?.views ?? 0, firstViewedAt: stats?.firstViewedAt ?? item.createdAt };
  }

  async user(id: number): Promise<UserView | undefined> {
    return (await this.directory()).users.get(id);
  }

  async group(id: number): Promise<Group | undefined> {
    return (await this.directory()).groups.get(id);
  }

  /** `UpdatedByUser` of a user id; absent when the caller may not know of that user. */
  async updatedByUser(id: number) {
    const user = await this.user(id);
    return user && { userUuid: user.uuid, ...nameParts(user.name) };
  }

  /** `SpaceShare[]`: the users the space's own list names, with their space role. */
  async spaceShares(folder: Folder) {
    const shares = [];
    for (const entry of folder.access) {
      if (entry.subject !== 'user') continue;
      const user = await this.user(entry.id);
      if (!user) continue;
      shares.push({
        userUuid: user.uuid,
        ...nameParts(user.name),
        email: user.email ?? '',
        role: spaceRoleOf(folder, entry),
        hasDirectAccess: true,
        ...(user.role && { projectRole: user.role }),
      });
    }
    return shares;
  }

  /** `SpaceGroup[]`: the groups the space's own list names. */
  async spaceGroups(folder: Folder) {
    const groups = [];
    for (const entry of folder.access) {
      if (entry.subject !== 'group') continue;
      const group = await this.group(entry.id);
      if (group)
        groups.push({ groupUuid: group.uuid, groupName: group.name, spaceRole: spaceRoleOf(folder, entry) });
    }
    return groups;
  }

  private directory() {
    this.people ??= Promise.all([
      this.ports.directory.listUsers(this.principal),
      this.ports.directory.listGroups(this.principal),
    ]).then(([users, groups]) => ({
      users: new Map(users.map((user) => [user.id, user])),
      groups: new Map(groups.map((group) => [group.id, group])),
    }));
    return this.people;
  }
}

/** The context of a `/projects/{projectUuid}/...` route. */
export const contentContext = (ports: ContentPorts, request: FastifyRequest, projectUuid: string) =>
  ContentContext.open(ports, principalOf(request), projectUuid);

/**
 * A space role from a folder grant: the folder's creator, who may also change its list, is its
 * `admin`; an edit grant is `editor`, a view grant `viewer`.
 */
export function spaceRoleOf(folder: Folder, entry: AccessEntry): SpaceMemberRole {
  if (entry.subject === 'user' && entry.id === folder.createdBy) return 'admin';
  return entry.level === 'edit' ? 'editor' : 'viewer';
}

/** A Lightdash `slug`: the name in lower case, words joined by dashes. */
export const slugOf = (name: string): string =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'untitled';

/**
 * A body checker for routes whose body has variants told apart by the handler (create or
 * duplicate): a mismatch is a 400 naming the field, as a route schema's would be.
 */
export function bodyChecker<T extends TSchema>(schema: T): (value: unknown) => Static<T> {
  const validator = Compile(schema);
  return (value) => {
    if (validator.Check(value)) return value as Static<T>;
    const errors = validator.Errors(value).map((error) => {
      const required = (error.params as { requiredProperties?: string[] }).requiredProperties;
      return { ...error, params: required ? { missingProperty: required[0] } : error.params };
    });
    throw fieldErrorFormatter(errors as unknown as FastifySchemaValidationError[], 'body');
  };
}
