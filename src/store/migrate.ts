import { type Migration, type MigrationProvider, Migrator } from 'kysely';
import { auditMigrations } from '../core/audit/tables.ts';
import { authMigrations } from '../core/auth/tables.ts';
import { catalogLabelMigrations } from '../core/content/catalog-label-tables.ts';
import { commentMigrations } from '../core/content/comment-tables.ts';
import { curationMigrations } from '../core/content/curation-tables.ts';
import { favouriteMigrations } from '../core/content/favourite-tables.ts';
import { folderItemMigrations } from '../core/content/folder-tables.ts';
import { contentMigrations } from '../core/content/migrations.ts';
import { sqlChartMigrations } from '../core/content/sql-chart-tables.ts';
import { memberRuleMigrations } from '../core/data/member-rule-tables.ts';
import { dataMigrations } from '../core/data/migrations.ts';
import { accountMigrations } from '../core/directory/account-tables.ts';
import { directoryMigrations } from '../core/directory/migrations.ts';
import { sharedFileMigrations } from '../core/files/tables.ts';
import { externalIdMigrations } from '../core/ids/tables.ts';
import { jobMigrations } from '../core/jobs/migrations.ts';
import { scheduleMigrations } from '../core/schedules/migrations.ts';
import { scriptMigrations } from '../core/scripts/tables.ts';
import type { Store } from './database.ts';

/**
 * Migrations of every module, applied in name order. Names are prefixed per module
 * (0100_ directory, 0200_ data, 0300_ content, 0400_ jobs, 0500_ schedules, 0600_ auth, 0700_
 * scripts, 0800_ external ids, 0900_ audit, 1000_ shared files) so later modules may refer to earlier ones' tables.
 */
export const allMigrations: Record<string, Migration> = {
  ...directoryMigrations,
  ...accountMigrations,
  ...dataMigrations,
  ...memberRuleMigrations,
  ...contentMigrations,
  ...favouriteMigrations,
  ...commentMigrations,
  ...catalogLabelMigrations,
  ...folderItemMigrations,
  ...curationMigrations,
  ...sqlChartMigrations,
  ...jobMigrations,
  ...scheduleMigrations,
  ...authMigrations,
  ...scriptMigrations,
  ...externalIdMigrations,
  ...auditMigrations,
  ...sharedFileMigrations,
};

class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return allMigrations;
  }
}

export async function migrateToLatest(store: Store): Promise<void> {
  // Modules number their migrations in their own ranges, so a module's new migration may sort
  // before another module's applied one: it still runs, once.
  const migrator = new Migrator({
    db: store.db,
    provider: new StaticMigrationProvider(),
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error.message : String(error ?? '');
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${cause}`);
  }
}
