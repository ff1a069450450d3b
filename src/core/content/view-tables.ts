import type { Migration } from 'kysely';
import type { MigrationDb } from '../../store/schema.ts';

/** What is counted when people open it: a saved chart or a dashboard. */
export type ViewedKind = 'chart' | 'dashboard';

/**
 * View counts of charts and dashboards: one row per object (the count Lightdash shows) and one
 * per object and user (distinct viewers). Rows of a purged object stay until the purge of the
 * organization; no foreign key, as one table serves two kinds of object.
 */
export interface ContentViewTables {
  content_views: ContentViewRow;
  content_viewers: ContentViewerRow;
}

export interface ContentViewRow {
  organization_id: number;
  kind: ViewedKind;
  object_id: number;
  views: number;
  first_viewed_at: string;
  last_viewed_at: string;
}

export interface ContentViewerRow {
  kind: ViewedKind;
  object_id: number;
  user_id: number;
  views: number;
  first_viewed_at: string;
  last_viewed_at: string;
}

export const contentViewMigrations: Record<string, Migration> = {
  '0375_content_views': {
    async up(db: MigrationDb) {
      await db.schema
        .createTable('content_views')
        .addColumn('organization_id', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('object_id', 'integer', (c) => c.notNull())
        .addColumn('views', 'integer', (c) => c.notNull())
        .addColumn('first_viewed_at', 'text', (c) => c.notNull())
        .addColumn('last_viewed_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('content_views_pk', ['kind', 'object_id'])
        .execute();
      await db.schema
        .createIndex('content_views_organization')
        .on('content_views')
        .columns(['organization_id', 'kind'])
        .execute();
      await db.schema
        .createTable('content_viewers')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('object_id', 'integer', (c) => c.notNull())
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('views', 'integer', (c) => c.notNull())
        .addColumn('first_viewed_at', 'text', (c) => c.notNull())
        .addColumn('last_viewed_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('content_viewers_pk', ['kind', 'object_id', 'user_id'])
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropTable('content_viewers').execute();
      await db.schema.dropTable('content_views').execute();
    },
  },
};
