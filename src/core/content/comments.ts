import { randomUUID } from 'node:crypto';
import { nowIso } from '../../store/schema.ts';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { forbidden, isRosettaError, notFound, validationError } from '../errors.ts';
import type { DashboardService } from './dashboards.ts';
import type { Db } from './repo.ts';
import type { ContentRef } from './types.ts';

export interface CommentInput {
  widgetId: string;
  text: string;
  /** The same text as the commenter's editor rendered it. */
  html: string;
  /** Uuids of the users the text names; kept as given. */
  mentions: string[];
  /** Uuid of the comment of the same dashboard this one answers. */
  replyTo?: string;
}

export interface DashboardComment {
  uuid: string;
  widgetId: string;
  authorId: number;
  text: string;
  html: string;
  mentions: string[];
  replyTo: string | null;
  resolved: boolean;
  createdAt: string;
  /** Whether the caller may resolve or delete it: its author, or whoever may edit the dashboard. */
  removable: boolean;
}

/** A comment someone else left on a dashboard the user commented on too. */
export interface CommentNotice {
  uuid: string;
  viewed: boolean;
  createdAt: string;
  authorId: number;
  text: string;
  dashboard: { uuid: string; name: string; projectId: number };
  widget: { id: string; title: string };
}

/**
 * Comments on the widgets of a dashboard. Whoever sees the dashboard reads them; commenting is
 * `comment.create`; resolving and deleting are the author's, or of whoever may edit the
 * dashboard. A comment notifies the dashboard's other commenters.
 */
export class CommentService {
  constructor(
    private readonly db: Db,
    private readonly dashboards: Pick<DashboardService, 'lookup' | 'editable'>,
  ) {}

  async add(principal: Principal, ref: ContentRef, input: CommentInput): Promise<DashboardComment> {
    authorize(principal, 'comment.create');
    const dashboard = await this.dashboards.lookup(principal, ref);
    if (input.text.trim() === '') throw validationError('text', 'must not be empty');
    if (!dashboard.widgets.some((widget) => widget.id === input.widgetId))
      throw notFound('dashboard tile', input.widgetId);
    const replyTo =
      input.replyTo === undefined ? undefined : await this.parentOf(dashboard.id, input.replyTo);
    const uuid = randomUUID();
    const createdAt = nowIso();
    await this.db.transaction().execute(async (trx) => {
      const { id } = await trx
        .insertInto('dashboard_comments')
        .values({
          uuid,
          dashboard_id: dashboard.id,
          widget_id: input.widgetId,
          author_id: principal.userId,
          text: input.text,
          html: input.html,
          mentions: JSON.stringify(input.mentions),
          reply_to: replyTo ?? null,
          resolved: 0,
          created_at: createdAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const others = await trx
        .selectFrom('dashboard_comments')
        .select('author_id')
        .distinct()
        .where('dashboard_id', '=', dashboard.id)
        .where('author_id', '!=', principal.userId)
        .execute();
      if (others.length > 0)
        await trx
          .insertInto('comment_notices')
          .values(
            others.map(({ author_id }) => ({
              uuid: randomUUID(),
              user_id: author_id,
              comment_id: id,
              viewed: 0,
              created_at: createdAt,
            })),
          )
          .execute();
    });
    return {
      uuid,
      widgetId: input.widgetId,
      authorId: principal.userId,
      text: input.text,
      html: input.html,
      mentions: input.mentions,
      replyTo: input.replyTo ?? null,
      resolved: false,
      createdAt,
      removable: true,
    };
  }

  /** The comments of a dashboard the caller sees, oldest first. */
  async list(principal: Principal, ref: ContentRef): Promise<DashboardComment[]> {
    const { id, editable } = await this.dashboards.editable(principal, ref);
    const rows = await this.db
      .selectFrom('dashboard_comments as c')
      .leftJoin('dashboard_comments as parent', 'parent.id', 'c.reply_to')
      .select([
        'c.uuid',
        'c.widget_id',
        'c.author_id',
        'c.text',
        'c.html',
        'c.mentions',
        'c.resolved',
        'c.created_at',
        'parent.uuid as parent_uuid',
      ])
      .where('c.dashboard_id', '=', id)
      .orderBy('c.created_at')
      .orderBy('c.id')
      .execute();
    return rows.map((row) => ({
      uuid: row.uuid,
      widgetId: row.widget_id,
      authorId: row.author_id,
      text: row.text,
      html: row.html,
      mentions: JSON.parse(row.mentions) as string[],
      replyTo: row.parent_uuid,
      resolved: row.resolved === 1,
      createdAt: row.created_at,
      removable: editable || row.author_id === principal.userId,
    }));
  }

  async resolve(principal: Principal, ref: ContentRef, commentUuid: string, resolved = true): Promise<void> {
    const id = await this.removableComment(principal, ref, commentUuid);
    await this.db
      .updateTable('dashboard_comments')
      .set({ resolved: resolved ? 1 : 0 })
      .where('id', '=', id)
      .execute();
  }

  /** Deletes a comment with its replies and the notices they left. */
  async remove(principal: Principal, ref: ContentRef, commentUuid: string): Promise<void> {
    const id = await this.removableComment(principal, ref, commentUuid);
    await this.db.deleteFrom('dashboard_comments').where('id', '=', id).execute();
  }

  /** The caller's notices, newest first, of dashboards the caller still sees. */
  async notices(principal: Principal): Promise<CommentNotice[]> {
    authorize(principal, 'dashboard.view');
    const rows = await this.db
      .selectFrom('comment_notices as n')
      .innerJoin('dashboard_comments as c', 'c.id', 'n.comment_id')
      .innerJoin('dashboards as d', 'd.id', 'c.dashboard_id')
      .select([
        'n.uuid',
        'n.viewed',
        'n.created_at',
        'c.author_id',
        'c.text',
        'c.widget_id',
        'd.uuid as dashboard_uuid',
      ])
      .where('n.user_id', '=', principal.userId)
      .where('d.organization_id', '=', principal.organizationId)
      .orderBy('n.created_at', 'desc')
      .orderBy('n.id', 'desc')
      .execute();
    const dashboards = new Map<string, Awaited<ReturnType<DashboardService['get']>> | undefined>();
    const notices: CommentNotice[] = [];
    for (const row of rows) {
      if (!dashboards.has(row.dashboard_uuid))
        dashboards.set(
          row.dashboard_uuid,
          await this.dashboards.lookup(principal, row.dashboard_uuid).catch(unseen),
        );
      const dashboard = dashboards.get(row.dashboard_uuid);
      if (!dashboard) continue;
      const widget = dashboard.widgets.find((candidate) => candidate.id === row.widget_id);
      notices.push({
        uuid: row.uuid,
        viewed: row.viewed === 1,
        createdAt: row.created_at,
        authorId: row.author_id,
        text: row.text,
        dashboard: { uuid: dashboard.uuid, name: dashboard.name, projectId: dashboard.projectId },
        widget: { id: row.widget_id, title: widget?.title ?? '' },
      });
    }
    return notices;
  }

  /** Marks one of the caller's notices viewed or not; anyone else's is not found. */
  async markNotice(principal: Principal, uuid: string, viewed: boolean): Promise<void> {
    authorize(principal, 'dashboard.view');
    const { numUpdatedRows } = await this.db
      .updateTable('comment_notices')
      .set({ viewed: viewed ? 1 : 0 })
      .where('uuid', '=', uuid)
      .where('user_id', '=', principal.userId)
      .executeTakeFirst();
    if (numUpdatedRows === 0n) throw notFound('notification', uuid);
  }

  /** The thread a reply joins: a reply to a reply answers the comment that opened it. */
  private async parentOf(dashboardId: number, uuid: string): Promise<number> {
    const parent = await this.db
      .selectFrom('dashboard_comments')
      .select(['id', 'reply_to'])
      .where('uuid', '=', uuid)
      .where('dashboard_id', '=', dashboardId)
      .executeTakeFirst();
    if (!parent) throw validationError('replyTo', `no comment ${JSON.stringify(uuid)} on this dashboard`);
    return parent.reply_to ?? parent.id;
  }

  private async removableComment(principal: Principal, ref: ContentRef, uuid: string): Promise<number> {
    authorize(principal, 'comment.create');
    const { id: dashboardId, editable } = await this.dashboards.editable(principal, ref);
    const comment = await this.db
      .selectFrom('dashboard_comments')
      .select(['id', 'author_id'])
      .where('uuid', '=', uuid)
      .where('dashboard_id', '=', dashboardId)
      .executeTakeFirst();
    if (!comment) throw notFound('comment', uuid);
    if (!editable && comment.author_id !== principal.userId)
      throw forbidden("resolve or delete other users' comments on this dashboard");
    return comment.id;
  }
}

/** A dashboard the user no longer sees hides its notices. */
function unseen(error: unknown): undefined {
  if (isRosettaError(error) && (error.code === 'ERR_NOT_FOUND' || error.code === 'ERR_FORBIDDEN'))
    return undefined;
  throw error;
}
