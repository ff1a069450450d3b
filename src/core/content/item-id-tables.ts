import type { Generated, Migration } from 'kysely';
import { isPostgres, type MigrationDb } from '../../store/schema.ts';

/** What of a dashboard gets an integer id of its own: its widgets and its filters. */
export type DashboardItemKind = 'widget' | 'filter';

/**
 * Integer ids of a dashboard's widgets and filters, which the dashboard keys by strings of its
 * own: faces that name them by integer (Holistics' dashboard widgets and dynamic filters) read
 * them here. One row per (dashboard, kind, key), allocated on first use; rows go with their
 * dashboard, and ids are never reused (AUTOINCREMENT / serial).
 */
export interface DashboardItemIdTables {
  dashboard_item_ids: DashboardItemIdRow;
}

export interface DashboardItemIdRow {
  id: Generated<number>;
  organization_id: number;
  dashboard_id: number;
  kind: DashboardItemKind;
  item_key: string;
  created_at: string;
}

export const dashboardItemIdMigrations: Record<string, Migration> = {
  '0397_dashboard_item_ids': {
    async up(db: MigrationDb) {
      const table = db.schema.createTable('dashboard_item_ids');
      await (isPostgres(db)
        ? table.addColumn('id', 'serial', (c) => c.primaryKey())
        : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      )
        .addColumn('organization_id', 'integer', (c) => c.notNull())
        .addColumn('dashboard_id', 'integer', (c) =>
          c.notNull().references('dashboards.id').onDelete('cascade'),
        )
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('item_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        // Concurrent first uses of one item collide here: both read back the one row.
        .addUniqueConstraint('dashboard_item_ids_item', ['dashboard_id', 'kind', 'item_key'])
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropTable('dashboard_item_ids').execute();
    },
  },
};
