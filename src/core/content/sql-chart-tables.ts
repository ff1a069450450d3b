import type { Generated, Migration } from 'kysely';
import { type MigrationDb, withIdentity, withTimestamps } from '../../store/schema.ts';

/**
 * Saved SQL charts: a developer's statement with its row limit and a visualization config, filed
 * in a dashboard folder of a project and addressed by uuid or by a slug unique in the project.
 */
export interface SqlChartTables {
  sql_charts: SqlChartRow;
}

export interface SqlChartRow {
  id: Generated<number>;
  uuid: string;
  organization_id: number;
  project_id: number;
  folder_id: number | null;
  name: string;
  description: string | null;
  slug: string;
  sql_text: string;
  row_limit: number;
  /** The visualization config, JSON the core keeps as given. */
  config: string;
  /** Bumped by every change of the SQL, limit or config. */
  version: number;
  created_by: number;
  updated_by: number;
  created_at: string;
  updated_at: string;
}

export const sqlChartMigrations: Record<string, Migration> = {
  '0380_sql_charts': {
    async up(db: MigrationDb) {
      await withTimestamps(
        withIdentity(db, db.schema.createTable('sql_charts'))
          .addColumn('organization_id', 'integer', (c) => c.notNull())
          .addColumn('project_id', 'integer', (c) =>
            c.notNull().references('projects.id').onDelete('cascade'),
          )
          .addColumn('folder_id', 'integer', (c) => c.references('folders.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('slug', 'text', (c) => c.notNull())
          .addColumn('sql_text', 'text', (c) => c.notNull())
          .addColumn('row_limit', 'integer', (c) => c.notNull())
          .addColumn('config', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('created_by', 'integer', (c) => c.notNull())
          .addColumn('updated_by', 'integer', (c) => c.notNull())
          .addUniqueConstraint('sql_charts_project_slug', ['project_id', 'slug']),
      ).execute();
    },
  },
};
