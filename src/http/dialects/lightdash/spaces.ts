import { Type } from 'typebox';
import type { AccessEntry, Folder } from '../../../core/content/index.ts';
import { isRosettaError, validationError } from '../../../core/errors.ts';
import type { App } from '../../server.ts';
import { chartSummaryItem } from './chart-shapes.ts';
import {
  type ContentContext,
  type ContentPorts,
  contentContext,
  type SpaceMemberRole,
  slugOf,
} from './content-context.ts';
import { dashboardBasicDetails } from './dashboards.ts';
import { ok } from './envelope.ts';

const SpaceRole = Type.Union([Type.Literal('viewer'), Type.Literal('editor'), Type.Literal('admin')]);
const SpaceParams = Type.Object({ projectUuid: Type.String(), spaceUuid: Type.String() });
const ProjectParams = Type.Object({ projectUuid: Type.String() });

/** Space roles onto folder access levels: the core has view and edit; a space admin edits. */
const levelOf = (role: SpaceMemberRole): AccessEntry['level'] => (role === 'viewer' ? 'view' : 'edit');

/**
 * A private space is a folder with an access list of its own. The list always names its creator
 * (Lightdash makes the creator a space admin), so a private space shared with nobody else still
 * has a list, and an open folder (no list) is a public space.
 */
const creatorEntry = (userId: number): AccessEntry => ({ subject: 'user', id: userId, level: 'edit' });

/** `SpaceSummary`: a space with its counts, as lists show it. */
async function spaceSummary(
  context: ContentContext,
  folder: Folder,
  counts: { charts: number; dashboards: number },
) {
  const access = (await context.spaceShares(folder)).map((share) => share.userUuid);
  return {
    uuid: folder.uuid,
    name: folder.name,
    projectUuid: context.project.uuid,
    organizationUuid: context.organization.uuid,
    pinnedListUuid: null,
    pinnedListOrder: null,
    slug: slugOf(folder.name),
    isPrivate: folder.restricted,
    chartCount: counts.charts,
    dashboardCount: counts.dashboards,
    access,
  };
}

/** `Space`: the space with its access, its charts (`queries`) and its dashboards. */
export async function spaceJson(context: ContentContext, folder: Folder) {
  const { content } = context.ports;
  const [charts, dashboards] = await Promise.all([
    content.charts.list(context.principal, { folderId: folder.uuid }),
    content.dashboards.list(context.principal, { folderId: folder.uuid }),
  ]);
  return {
    uuid: folder.uuid,
    name: folder.name,
    isPrivate: folder.restricted,
    projectUuid: context.project.uuid,
    organizationUuid: context.organization.uuid,
    pinnedListUuid: null,
    pinnedListOrder: null,
    slug: slugOf(folder.name),
    access: await context.spaceShares(folder),
    groupsAccess: await context.spaceGroups(folder),
    queries: await Promise.all(charts.map((chart) => chartSummaryItem(context, chart, folder))),
    dashboards: await Promise.all(dashboards.map((dashboard) => dashboardBasicDetails(context, dashboard))),
  };
}

/** Space access by user uuid: `{userUuid, role}` → a folder grant. */
async function userGrant(context: ContentContext, field: string, userUuid: string, role: SpaceMemberRole) {
  const user = await context.ports.directory.getUserByUuid(context.principal, userUuid).catch((error) => {
    if (isRosettaError(error) && error.code === 'ERR_NOT_FOUND')
      throw validationError(field, `user ${JSON.stringify(userUuid)} not found`);
    throw error;
  });
  return { subject: 'user' as const, id: user.id, level: levelOf(role) };
}

async function groupGrant(context: ContentContext, groupUuid: string, role: SpaceMemberRole) {
  const groups = await context.ports.directory.listGroups(context.principal);
  const group = groups.find((candidate) => candidate.uuid === groupUuid);
  if (!group) throw validationError('groupUuid', `group ${JSON.stringify(groupUuid)} not found`);
  return { subject: 'group' as const, id: group.id, level: levelOf(role) };
}

const sameSubject = (a: Omit<AccessEntry, 'level'>, b: Omit<AccessEntry, 'level'>) =>
  a.subject === b.subject && a.id === b.id;

/**
 * Changes a private space's list. On a public space every member already has what their role
 * allows, which is the most a share could give in Rosetta (a grant is capped by the role), so a
 * share there changes nothing and is not stored. A private space never loses its list: removing
 * its last entry leaves its creator on it, as Lightdash keeps the creator's access.
 */
async function editSpaceAccess(
  context: ContentContext,
  spaceUuid: string,
  edit: (entries: AccessEntry[]) => AccessEntry[],
): Promise<void> {
  const folder = await context.space(spaceUuid);
  if (folder.access.length === 0) return;
  const entries = edit(folder.access);
  await context.ports.content.folders.setAccess(
    context.principal,
    folder.id,
    entries.length > 0 ? entries : [creatorEntry(folder.createdBy)],
  );
}

/** Deletes a space: an empty one as any editor of it may; one with content recursively, which the core keeps to admins. */
async function deleteSpace(context: ContentContext, folder: Folder): Promise<void> {
  const { folders } = context.ports.content;
  try {
    await folders.delete(context.principal, folder.id);
  } catch (error) {
    if (!(isRosettaError(error) && error.code === 'ERR_CONFLICT')) throw error;
    await folders.delete(context.principal, folder.id, { recursive: true });
  }
}

/** Spaces (spec §2.9): the project's dashboard folders and their access lists. */
export function registerSpaceRoutes(app: App, ports: ContentPorts): void {
  app.get('/v1/projects/:projectUuid/spaces', { schema: { params: ProjectParams } }, async (request) => {
    const context = await contentContext(ports, request, request.params.projectUuid);
    const { content } = ports;
    const filter = { projectId: context.project.id };
    const [spaces, charts, dashboards] = await Promise.all([
      context.spaces(),
      content.charts.list(context.principal, filter),
      content.dashboards.list(context.principal, filter),
    ]);
    const count = (items: { folderUuid: string | null }[], uuid: string) =>
      items.filter((item) => item.folderUuid === uuid).length;
    return ok(
      await Promise.all(
        spaces.map((space) =>
          spaceSummary(context, space, {
            charts: count(charts, space.uuid),
            dashboards: count(dashboards, space.uuid),
          }),
        ),
      ),
    );
  });

  app.post(
    '/v1/projects/:projectUuid/spaces',
    {
      schema: {
        params: ProjectParams,
        body: Type.Object({
          name: Type.String(),
          isPrivate: Type.Optional(Type.Boolean()),
          access: Type.Optional(Type.Array(Type.Object({ userUuid: Type.String(), role: SpaceRole }))),
        }),
      },
    },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const { name, isPrivate = false, access = [] } = request.body;
      const shared = await Promise.all(
        access.map((grant, i) => userGrant(context, `access[${i}].userUuid`, grant.userUuid, grant.role)),
      );
      const entries = [creatorEntry(context.principal.userId)];
      for (const grant of shared)
        if (!entries.some((entry) => sameSubject(entry, grant))) entries.push(grant);
      const folder = await ports.content.folders.create(context.principal, {
        name,
        kind: 'dashboard',
        projectId: context.project.id,
        access: isPrivate ? entries : [],
      });
      return ok(await spaceJson(context, folder));
    },
  );

  app.get(
    '/v1/projects/:projectUuid/spaces/:spaceUuid',
    { schema: { params: SpaceParams } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      return ok(await spaceJson(context, await context.space(request.params.spaceUuid)));
    },
  );

  app.patch(
    '/v1/projects/:projectUuid/spaces/:spaceUuid',
    {
      schema: {
        params: SpaceParams,
        body: Type.Object({ name: Type.String(), isPrivate: Type.Boolean() }),
      },
    },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const { folders } = ports.content;
      const space = await context.space(request.params.spaceUuid);
      let folder = await folders.update(context.principal, space.id, { name: request.body.name });
      if (
        request.body.isPrivate !== folder.restricted ||
        (!request.body.isPrivate && folder.access.length > 0)
      )
        folder = await folders.setAccess(
          context.principal,
          folder.id,
          request.body.isPrivate ? [creatorEntry(folder.createdBy)] : [],
        );
      return ok(await spaceJson(context, folder));
    },
  );

  app.delete(
    '/v1/projects/:projectUuid/spaces/:spaceUuid',
    { schema: { params: SpaceParams } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      await deleteSpace(context, await context.space(request.params.spaceUuid));
      return ok();
    },
  );

  app.post(
    '/v1/projects/:projectUuid/spaces/:spaceUuid/share',
    { schema: { params: SpaceParams, body: Type.Object({ userUuid: Type.String(), spaceRole: SpaceRole }) } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const grant = await userGrant(context, 'userUuid', request.body.userUuid, request.body.spaceRole);
      await editSpaceAccess(context, request.params.spaceUuid, (entries) => [
        ...entries.filter((entry) => !sameSubject(entry, grant)),
        grant,
      ]);
      return ok();
    },
  );

  app.delete(
    '/v1/projects/:projectUuid/spaces/:spaceUuid/share/:userUuid',
    { schema: { params: Type.Object({ ...SpaceParams.properties, userUuid: Type.String() }) } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const revoked = await userGrant(context, 'userUuid', request.params.userUuid, 'viewer');
      await editSpaceAccess(context, request.params.spaceUuid, (entries) =>
        entries.filter((entry) => !sameSubject(entry, revoked)),
      );
      return ok();
    },
  );

  app.post(
    '/v1/projects/:projectUuid/spaces/:spaceUuid/group/share',
    {
      schema: { params: SpaceParams, body: Type.Object({ groupUuid: Type.String(), spaceRole: SpaceRole }) },
    },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const grant = await groupGrant(context, request.body.groupUuid, request.body.spaceRole);
      await editSpaceAccess(context, request.params.spaceUuid, (entries) => [
        ...entries.filter((entry) => !sameSubject(entry, grant)),
        grant,
      ]);
      return ok();
    },
  );

  app.delete(
    '/v1/projects/:projectUuid/spaces/:spaceUuid/group/share/:groupUuid',
    { schema: { params: Type.Object({ ...SpaceParams.properties, groupUuid: Type.String() }) } },
    async (request) => {
      const context = await contentContext(ports, request, request.params.projectUuid);
      const revoked = await groupGrant(context, request.params.groupUuid, 'viewer');
      await editSpaceAccess(context, request.params.spaceUuid, (entries) =>
        entries.filter((entry) => !sameSubject(entry, revoked)),
      );
      return ok();
    },
  );
}
