import type { Generated, Migration } from 'kysely';
import { type MigrationDb, withIdentity, withTimestamps } from '../../store/schema.ts';

/**
 * Saved charts: a query and its visualization with an id of their own, filed in a dashboard
 * folder (or none), versioned like dashboards. Dashboard tiles refer to them by uuid.
 */
export interface ChartTables {
  charts: ChartRow;
  chart_versions: ChartVersionRow;
}

export interface ChartRow {
  id: Generated<number>;
  uuid: string;
  organization_id: number;
  /** The project the row belongs to (migration 0350); the organization's default one unless moved. */
  project_id: number;
  /** A folder of kind `dashboard`, or null for the top level. */
  folder_id: number | null;
  name: string;
  description: string | null;
  /** JSON `WidgetQuery`. */
  query: string;
  /** JSON `Visualization`. */
  visualization: string;
  /** Number of the latest stored version; bumped by every change (optimistic lock). */
  version: number;
  /** The owner: keeps access to the chart wherever it is filed. */
  created_by: number;
  created_at: string;
  updated_at: string;
  updated_by: number;
  /** Trash and personal space, as for dashboards (content migration 0340). */
  deleted_at: string | null;
  deleted_by: number | null;
  personal: number;
}

export interface ChartVersionRow {
  id: Generated<number>;
  uuid: string;
  chart_id: number;
  version: number;
  author_id: number;
  created_at: string;
  /** JSON `ChartContent`. */
  snapshot: string;
}

export const chartMigrations: Record<string, Migration> = {
  '0330_saved_charts': {
    async up(db: MigrationDb) {
      await withTimestamps(withIdentity(db, db.schema.createTable('charts')))
        .addColumn('organization_id', 'integer', (c) => c.notNull())
        .addColumn('folder_id', 'integer', (c) => c.references('folders.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('query', 'text', (c) => c.notNull())
        .addColumn('visualization', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_by', 'integer', (c) => c.notNull())
        .addColumn('updated_by', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('charts_organization_folder')
        .on('charts')
        .columns(['organization_id', 'folder_id'])
        .execute();

      await withIdentity(db, db.schema.createTable('chart_versions'))
        .addColumn('chart_id', 'integer', (c) => c.notNull().references('charts.id').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('author_id', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('snapshot', 'text', (c) => c.notNull())
        .addUniqueConstraint('chart_versions_chart_version', ['chart_id', 'version'])
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropTable('chart_versions').execute();
      await db.schema.dropTable('charts').execute();
    },
  },
};
