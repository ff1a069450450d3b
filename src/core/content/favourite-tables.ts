import type { Migration } from 'kysely';
import type { MigrationDb } from '../../store/schema.ts';

/** A user's starred dashboards; a row goes when its dashboard is deleted. */
export interface FavouriteTables {
  dashboard_favourites: DashboardFavouriteRow;
}

export interface DashboardFavouriteRow {
  user_id: number;
  dashboard_id: number;
  created_at: string;
}

export const favouriteMigrations: Record<string, Migration> = {
  '0310_dashboard_favourites': {
    async up(db: MigrationDb) {
      await db.schema
        .createTable('dashboard_favourites')
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('dashboard_id', 'integer', (c) =>
          c.notNull().references('dashboards.id').onDelete('cascade'),
        )
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('dashboard_favourites_pk', ['user_id', 'dashboard_id'])
        .execute();
      await db.schema
        .createIndex('dashboard_favourites_dashboard')
        .on('dashboard_favourites')
        .columns(['dashboard_id'])
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropTable('dashboard_favourites').execute();
    },
  },
};
