import { Type } from 'typebox';
import type { App } from '../../server.ts';
import { principalOf } from '../../server.ts';
import { ContentContext, type ContentPorts } from './content-context.ts';
import { ok } from './envelope.ts';

const NotificationsQuery = Type.Object({ type: Type.Literal('dashboardComments') });
const NotificationParams = Type.Object({ notificationId: Type.String() });
const NotificationBody = Type.Object({ viewed: Type.Boolean() });

/**
 * The caller's notifications (spec §2.17): the comments others left on dashboards the caller
 * commented on, the one resource type Lightdash documents.
 */
export function registerNotificationRoutes(app: App, ports: ContentPorts): void {
  const { comments } = ports.content;

  app.get('/v1/notifications', { schema: { querystring: NotificationsQuery } }, async (request) => {
    const principal = principalOf(request);
    const notices = await comments.notices(principal);
    if (notices.length === 0) return ok([]);
    const people = await ContentContext.ofProjectId(ports, principal, principal.projectId);
    const projectUuids = new Map<number, Promise<string>>();
    const projectUuid = (id: number) => {
      if (!projectUuids.has(id))
        projectUuids.set(
          id,
          ports.directory.projects.get(principal, id).then((project) => project.uuid),
        );
      return projectUuids.get(id) as Promise<string>;
    };
    const results = await Promise.all(
      notices.map(async (notice) => {
        const author = (await people.user(notice.authorId))?.name ?? 'Someone';
        const { dashboard, widget } = notice;
        return {
          notificationId: notice.uuid,
          resourceType: 'dashboardComments' as const,
          resourceUuid: dashboard.uuid,
          message: `${author} commented on ${widget.title ? `"${widget.title}" in ` : ''}${dashboard.name}`,
          url: `/projects/${await projectUuid(dashboard.projectId)}/dashboards/${dashboard.uuid}/view`,
          viewed: notice.viewed,
          createdAt: notice.createdAt,
          metadata: {
            dashboardUuid: dashboard.uuid,
            dashboardName: dashboard.name,
            dashboardTileUuid: widget.id,
            dashboardTileName: widget.title,
          },
        };
      }),
    );
    return ok(results);
  });

  app.patch(
    '/v1/notifications/:notificationId',
    { schema: { params: NotificationParams, body: NotificationBody } },
    async (request) => {
      await comments.markNotice(principalOf(request), request.params.notificationId, request.body.viewed);
      return ok();
    },
  );
}
