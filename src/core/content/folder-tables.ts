import type { Generated, Migration } from 'kysely';
import { isPostgres, type MigrationDb } from '../../store/schema.ts';

/**
 * Folders of other kinds than dashboards. A folder has a `kind`; dashboards keep their
 * `folder_id`, while data sources and scripts, which belong to other modules, are filed here by
 * uuid (one row per filed item), so those modules need no folder column of their own.
 */
export interface FolderItemTables {
  folder_items: FolderItemRow;
}

export interface FolderItemRow {
  id: Generated<number>;
  organization_id: number;
  folder_id: number;
  /** The folder kind of the item: `data_source` or `script`. */
  kind: string;
  item_uuid: string;
  created_at: string;
}

export const folderItemMigrations: Record<string, Migration> = {
  '0320_folder_kinds_and_items': {
    async up(db: MigrationDb) {
      await db.schema
        .alterTable('folders')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('dashboard'))
        .execute();
      const items = db.schema.createTable('folder_items');
      await (isPostgres(db)
        ? items.addColumn('id', 'serial', (c) => c.primaryKey())
        : items.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      )
        .addColumn('organization_id', 'integer', (c) => c.notNull())
        .addColumn('folder_id', 'integer', (c) => c.notNull().references('folders.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('item_uuid', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('folder_items_item', ['organization_id', 'kind', 'item_uuid'])
        .execute();
      await db.schema.createIndex('folder_items_folder').on('folder_items').columns(['folder_id']).execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropTable('folder_items').execute();
      await db.schema.alterTable('folders').dropColumn('kind').execute();
    },
  },
};
