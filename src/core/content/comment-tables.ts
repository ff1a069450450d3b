import type { Generated, Migration } from 'kysely';
import { type MigrationDb, withIdentity } from '../../store/schema.ts';

/**
 * Comments on a dashboard's widgets, and the notices they leave the dashboard's other
 * commenters. Both go with their dashboard; replies go with the comment they answer.
 */
export interface CommentTables {
  dashboard_comments: DashboardCommentRow;
  comment_notices: CommentNoticeRow;
}

export interface DashboardCommentRow {
  id: Generated<number>;
  uuid: string;
  dashboard_id: number;
  widget_id: string;
  author_id: number;
  text: string;
  html: string;
  /** JSON array of user uuids. */
  mentions: string;
  reply_to: number | null;
  resolved: number;
  created_at: string;
}

export interface CommentNoticeRow {
  id: Generated<number>;
  uuid: string;
  user_id: number;
  comment_id: number;
  viewed: number;
  created_at: string;
}

export const commentMigrations: Record<string, Migration> = {
  '0390_dashboard_comments': {
    async up(db: MigrationDb) {
      await withIdentity(db, db.schema.createTable('dashboard_comments'))
        .addColumn('dashboard_id', 'integer', (c) =>
          c.notNull().references('dashboards.id').onDelete('cascade'),
        )
        .addColumn('widget_id', 'text', (c) => c.notNull())
        .addColumn('author_id', 'integer', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('html', 'text', (c) => c.notNull())
        .addColumn('mentions', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('reply_to', 'integer', (c) => c.references('dashboard_comments.id').onDelete('cascade'))
        .addColumn('resolved', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('dashboard_comments_dashboard')
        .on('dashboard_comments')
        .columns(['dashboard_id'])
        .execute();
      await withIdentity(db, db.schema.createTable('comment_notices'))
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('comment_id', 'integer', (c) =>
          c.notNull().references('dashboard_comments.id').onDelete('cascade'),
        )
        .addColumn('viewed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('comment_notices_user')
        .on('comment_notices')
        .columns(['user_id'])
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropTable('comment_notices').execute();
      await db.schema.dropTable('dashboard_comments').execute();
    },
  },
};
