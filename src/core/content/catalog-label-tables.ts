import type { Migration } from 'kysely';
import type { MigrationDb } from '../../store/schema.ts';

/**
 * How a project's catalog entries (its queryable tables and fields, named by an opaque key the
 * caller chooses) are labelled: with the project's tags, and with an icon.
 */
export interface CatalogLabelTables {
  catalog_icons: CatalogIconRow;
  catalog_tags: CatalogTagRow;
}

export interface CatalogIconRow {
  project_id: number;
  item_key: string;
  /** JSON of the icon. */
  icon: string;
}

export interface CatalogTagRow {
  project_id: number;
  item_key: string;
  tag_id: number;
  created_at: string;
}

export const catalogLabelMigrations: Record<string, Migration> = {
  '0395_catalog_labels': {
    async up(db: MigrationDb) {
      await db.schema
        .createTable('catalog_icons')
        .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('item_key', 'text', (c) => c.notNull())
        .addColumn('icon', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('catalog_icons_pk', ['project_id', 'item_key'])
        .execute();
      await db.schema
        .createTable('catalog_tags')
        .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('item_key', 'text', (c) => c.notNull())
        .addColumn('tag_id', 'integer', (c) => c.notNull().references('content_tags.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('catalog_tags_pk', ['project_id', 'item_key', 'tag_id'])
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropTable('catalog_tags').execute();
      await db.schema.dropTable('catalog_icons').execute();
    },
  },
};
