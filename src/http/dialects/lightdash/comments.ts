import { Type } from 'typebox';
import type { DashboardComment } from '../../../core/content/index.ts';
import type { App } from '../../server.ts';
import type { ContentContext, ContentPorts } from './content-context.ts';
import { openDashboard } from './dashboards.ts';
import { ok } from './envelope.ts';

const CommentBody = Type.Object({
  text: Type.String({ minLength: 1, maxLength: 10_000 }),
  textHtml: Type.String({ maxLength: 50_000 }),
  mentions: Type.Array(Type.String(), { maxItems: 100 }),
  replyTo: Type.Optional(Type.String()),
});
const TileParams = Type.Object({ dashboardUuid: Type.String(), dashboardTileUuid: Type.String() });
const CommentParams = Type.Object({ dashboardUuid: Type.String(), commentId: Type.String() });
const DashboardParams = Type.Object({ dashboardUuid: Type.String() });

/** A `Comment`: a top-level one carries its `replies`, a reply its `replyTo`. */
async function commentJson(context: ContentContext, comment: DashboardComment) {
  const author = await context.user(comment.authorId);
  return {
    commentId: comment.uuid,
    text: comment.text,
    textHtml: comment.html,
    createdAt: comment.createdAt,
    user: { name: author?.name ?? '' },
    ...(comment.replyTo !== null && { replyTo: comment.replyTo }),
    resolved: comment.resolved,
    canRemove: comment.removable,
    mentions: comment.mentions,
  };
}

/** Comments on dashboard tiles (spec §2.10 createComment, getComments; Appendix A resolve, delete). */
export function registerCommentRoutes(app: App, ports: ContentPorts): void {
  const { comments } = ports.content;

  app.post(
    '/v1/comments/dashboards/:dashboardUuid/:dashboardTileUuid',
    { schema: { params: TileParams, body: CommentBody } },
    async (request) => {
      const { dashboard, context } = await openDashboard(ports, request, request.params.dashboardUuid);
      const { text, textHtml, mentions, replyTo } = request.body;
      const comment = await comments.add(context.principal, dashboard.uuid, {
        widgetId: request.params.dashboardTileUuid,
        text,
        html: textHtml,
        mentions,
        ...(replyTo !== undefined && { replyTo }),
      });
      return ok(comment.uuid);
    },
  );

  app.get(
    '/v1/comments/dashboards/:dashboardUuid',
    { schema: { params: DashboardParams } },
    async (request) => {
      const { dashboard, context } = await openDashboard(ports, request, request.params.dashboardUuid);
      const listed = await comments.list(context.principal, dashboard.uuid);
      const replies = new Map<string, ReturnType<typeof commentJson>[]>();
      for (const comment of listed) {
        if (comment.replyTo === null) continue;
        replies.set(comment.replyTo, [
          ...(replies.get(comment.replyTo) ?? []),
          commentJson(context, comment),
        ]);
      }
      const byTile: Record<string, unknown[]> = {};
      for (const comment of listed) {
        if (comment.replyTo !== null) continue;
        const json = {
          ...(await commentJson(context, comment)),
          replies: await Promise.all(replies.get(comment.uuid) ?? []),
        };
        byTile[comment.widgetId] = [...(byTile[comment.widgetId] ?? []), json];
      }
      return ok(byTile);
    },
  );

  app.patch(
    '/v1/comments/dashboards/:dashboardUuid/:commentId',
    { schema: { params: CommentParams } },
    async (request) => {
      const { dashboard, context } = await openDashboard(ports, request, request.params.dashboardUuid);
      await comments.resolve(context.principal, dashboard.uuid, request.params.commentId);
      return ok();
    },
  );

  app.delete(
    '/v1/comments/dashboards/:dashboardUuid/:commentId',
    { schema: { params: CommentParams } },
    async (request) => {
      const { dashboard, context } = await openDashboard(ports, request, request.params.dashboardUuid);
      await comments.remove(context.principal, dashboard.uuid, request.params.commentId);
      return ok();
    },
  );
}
