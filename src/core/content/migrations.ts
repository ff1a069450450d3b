import type { Migration } from 'kysely';
import { addProjectColumn, type MigrationDb, withIdentity, withTimestamps } from '../../store/schema.ts';
import { chartMigrations } from './charts-tables.ts';
import { dashboardItemIdMigrations } from './item-id-tables.ts';
import { contentViewMigrations } from './view-tables.ts';

export const contentMigrations: Record<string, Migration> = {
  '0300_content_folders_dashboards': {
    async up(db: MigrationDb) {
      await withTimestamps(withIdentity(db, db.schema.createTable('folders')))
        .addColumn('organization_id', 'integer', (c) => c.notNull())
        .addColumn('parent_id', 'integer', (c) => c.references('folders.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('access', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_by', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('folders_organization')
        .on('folders')
        .columns(['organization_id'])
        .execute();

      await withTimestamps(withIdentity(db, db.schema.createTable('dashboards')))
        .addColumn('organization_id', 'integer', (c) => c.notNull())
        .addColumn('folder_id', 'integer', (c) => c.references('folders.id'))
        .addColumn('owner_id', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('shares', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('updated_by', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('dashboards_organization_folder')
        .on('dashboards')
        .columns(['organization_id', 'folder_id'])
        .execute();

      await withIdentity(db, db.schema.createTable('dashboard_versions'))
        .addColumn('dashboard_id', 'integer', (c) =>
          c.notNull().references('dashboards.id').onDelete('cascade'),
        )
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('author_id', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('snapshot', 'text', (c) => c.notNull())
        .addUniqueConstraint('dashboard_versions_dashboard_version', ['dashboard_id', 'version'])
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropTable('dashboard_versions').execute();
      await db.schema.dropTable('dashboards').execute();
      await db.schema.dropTable('folders').execute();
    },
  },
  ...chartMigrations,
  ...contentViewMigrations,
  ...dashboardItemIdMigrations,
  '0340_content_trash_personal': {
    async up(db: MigrationDb) {
      for (const table of ['dashboards', 'charts']) {
        await db.schema.alterTable(table).addColumn('deleted_at', 'text').execute();
        await db.schema.alterTable(table).addColumn('deleted_by', 'integer').execute();
        await db.schema
          .alterTable(table)
          .addColumn('personal', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
      }
    },
    async down(db: MigrationDb) {
      for (const table of ['dashboards', 'charts']) {
        for (const column of ['deleted_at', 'deleted_by', 'personal'])
          await db.schema.alterTable(table).dropColumn(column).execute();
      }
    },
  },
  /** Folders, dashboards and charts belong to a project (the organization's default one until moved). */
  '0350_content_projects': {
    async up(db: MigrationDb) {
      for (const table of ['folders', 'dashboards', 'charts']) await addProjectColumn(db, table);
    },
  },
};
