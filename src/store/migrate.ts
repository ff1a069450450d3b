import { type Migration, type MigrationProvider, Migrator } from 'kysely';
import { embedMigrations } from '../core/auth/embed-tables.ts';
import { favouriteMigrations } from '../core/content/favourite-tables.ts';
import { folderItemMigrations } from '../core/content/folder-tables.ts';
import { contentMigrations } from '../core/content/migrations.ts';
import { dataMigrations } from '../core/data/migrations.ts';
import { directoryMigrations } from '../core/directory/migrations.ts';
import { jobMigrations } from '../core/jobs/migrations.ts';
import { scheduleMigrations } from '../core/schedules/migrations.ts';
import { scriptMigrations } from '../core/scripts/tables.ts';
import type { Store } from './database.ts';

/**
 * Migrations of every module, applied in name order. Names are prefixed per module
 * (0100_ directory, 0200_ data, 0300_ content, 0400_ jobs, …) so later modules may refer to
 * earlier ones' tables.
 */
const allMigrations: Record<string, Migration> = {
  ...directoryMigrations,
  ...dataMigrations,
  ...contentMigrations,
  ...favouriteMigrations,
  ...folderItemMigrations,
  ...jobMigrations,
  ...scheduleMigrations,
  ...embedMigrations,
  ...scriptMigrations,
};

class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return allMigrations;
  }
}

export async function migrateToLatest(store: Store): Promise<void> {
  const migrator = new Migrator({ db: store.db, provider: new StaticMigrationProvider() });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error.message : String(error ?? '');
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${cause}`);
  }
}
