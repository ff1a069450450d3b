import type { Migration } from 'kysely';
import { isPostgres, type MigrationDb, withIdentity, withTimestamps } from '../../store/schema.ts';

export const jobMigrations: Record<string, Migration> = {
  '0400_jobs': {
    async up(db: MigrationDb) {
      await withTimestamps(withIdentity(db, db.schema.createTable('jobs')))
        .addColumn('organization_id', 'integer', (c) => c.notNull())
        .addColumn('owner_id', 'integer')
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('progress', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('result', 'text')
        .addColumn('error', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('interruptions', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('run_after', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text')
        .addColumn('timeout_ms', 'integer', (c) => c.notNull())
        .addColumn('claim_token', 'text')
        .addColumn('heartbeat_at', 'text')
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .execute();
      // The claim query: queued jobs of one type that are due, oldest first.
      await db.schema.createIndex('jobs_claim').on('jobs').columns(['status', 'type', 'run_after']).execute();
      await db.schema
        .createIndex('jobs_organization_owner')
        .on('jobs')
        .columns(['organization_id', 'owner_id'])
        .execute();
      // NULL keys are distinct in both databases, so only jobs enqueued with a key are constrained.
      await db.schema
        .createIndex('jobs_idempotency')
        .on('jobs')
        .columns(['organization_id', 'type', 'idempotency_key'])
        .unique()
        .execute();

      const logs = db.schema.createTable('job_logs');
      await (isPostgres(db)
        ? logs.addColumn('id', 'serial', (c) => c.primaryKey())
        : logs.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      )
        .addColumn('job_id', 'integer', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
        .addColumn('time', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('job_logs_job').on('job_logs').columns(['job_id', 'id']).execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropTable('job_logs').execute();
      await db.schema.dropTable('jobs').execute();
    },
  },
  // The coded part of a failure, so faces map it without parsing the message (null: not coded).
  '0401_job_error_codes': {
    async up(db: MigrationDb) {
      for (const column of ['error_code', 'error_reason', 'error_field'])
        await db.schema.alterTable('jobs').addColumn(column, 'text').execute();
    },
    async down(db: MigrationDb) {
      for (const column of ['error_code', 'error_reason', 'error_field'])
        await db.schema.alterTable('jobs').dropColumn(column).execute();
    },
  },
};
