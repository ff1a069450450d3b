import type { Generated, Migration } from 'kysely';
import { isPostgres, type MigrationDb, withIdentity, withTimestamps } from '../../store/schema.ts';

/** User scripts, their runs (each a job) and their per-script JSON storage. */
export interface ScriptTables {
  scripts: ScriptRow;
  script_runs: ScriptRunRow;
}

export interface ScriptRow {
  id: Generated<number>;
  uuid: string;
  organization_id: number;
  owner_id: number;
  name: string;
  language: string;
  code: string;
  /** JSON text kept between runs (`store_script_data`). */
  storage: string;
  /** SHA-256 of the webhook token (`run?token=`); null until one is generated. */
  webhook_token_hash: string | null;
  created_at: string;
  updated_at: string;
}

export interface ScriptRunRow {
  id: Generated<number>;
  script_id: number;
  job_id: number;
  created_at: string;
}

export const scriptMigrations: Record<string, Migration> = {
  '0700_scripts': {
    async up(db: MigrationDb) {
      await withTimestamps(withIdentity(db, db.schema.createTable('scripts')))
        .addColumn('organization_id', 'integer', (c) => c.notNull())
        .addColumn('owner_id', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('language', 'text', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('storage', 'text', (c) => c.notNull())
        .addColumn('webhook_token_hash', 'text', (c) => c.unique())
        .execute();
      const runs = db.schema.createTable('script_runs');
      await (isPostgres(db)
        ? runs.addColumn('id', 'serial', (c) => c.primaryKey())
        : runs.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      )
        .addColumn('script_id', 'integer', (c) => c.notNull().references('scripts.id').onDelete('cascade'))
        .addColumn('job_id', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('script_runs_script')
        .on('script_runs')
        .columns(['script_id', 'id'])
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropTable('script_runs').execute();
      await db.schema.dropTable('scripts').execute();
    },
  },
};
