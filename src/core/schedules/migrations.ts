import type { Migration } from 'kysely';
import {
  addProjectColumn,
  isPostgres,
  type MigrationDb,
  withIdentity,
  withTimestamps,
} from '../../store/schema.ts';

const serialId = (db: MigrationDb, name: string) => {
  const table = db.schema.createTable(name);
  return isPostgres(db)
    ? table.addColumn('id', 'serial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
};

export const scheduleMigrations: Record<string, Migration> = {
  '0500_schedules': {
    async up(db: MigrationDb) {
      await withTimestamps(withIdentity(db, db.schema.createTable('schedules')))
        .addColumn('organization_id', 'integer', (c) => c.notNull())
        .addColumn('owner_id', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('cron', 'text', (c) => c.notNull())
        .addColumn('timezone', 'text', (c) => c.notNull())
        .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('filters', 'text', (c) => c.notNull())
        .addColumn('destination', 'text', (c) => c.notNull())
        .addColumn('conditions', 'text', (c) => c.notNull())
        .addColumn('next_run_at', 'text')
        .addColumn('last_run_at', 'text')
        .addColumn('last_status', 'text')
        .execute();
      // The tick's query: schedules not paused whose next fire time has come.
      await db.schema
        .createIndex('schedules_due')
        .on('schedules')
        .columns(['paused', 'next_run_at'])
        .execute();
      await db.schema
        .createIndex('schedules_organization')
        .on('schedules')
        .columns(['organization_id', 'kind'])
        .execute();

      await serialId(db, 'schedule_runs')
        .addColumn('schedule_id', 'integer', (c) =>
          c.notNull().references('schedules.id').onDelete('cascade'),
        )
        .addColumn('fire_time', 'text', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('job_id', 'integer')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('result', 'text')
        .addColumn('triggered', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .execute();
      // One history row per job: a re-enqueue of the same fire time finds the job and its row.
      await db.schema
        .createIndex('schedule_runs_job')
        .on('schedule_runs')
        .column('job_id')
        .unique()
        .execute();
      await db.schema
        .createIndex('schedule_runs_schedule')
        .on('schedule_runs')
        .columns(['schedule_id', 'id'])
        .execute();

      await withIdentity(db, db.schema.createTable('outbox_messages'))
        .addColumn('organization_id', 'integer', (c) => c.notNull())
        .addColumn('schedule_id', 'integer')
        .addColumn('job_id', 'integer')
        .addColumn('recipients', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('attachments', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .execute();
      // The daily quota counts an organization's messages since midnight UTC.
      await db.schema
        .createIndex('outbox_organization_created')
        .on('outbox_messages')
        .columns(['organization_id', 'created_at'])
        .execute();
      await db.schema.createIndex('outbox_job').on('outbox_messages').column('job_id').execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropTable('outbox_messages').execute();
      await db.schema.dropTable('schedule_runs').execute();
      await db.schema.dropTable('schedules').execute();
    },
  },
  '0501_schedule_variables': {
    async up(db: MigrationDb) {
      await db.schema
        .alterTable('schedules')
        .addColumn('variables', 'text', (c) => c.notNull().defaultTo('{}'))
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.alterTable('schedules').dropColumn('variables').execute();
    },
  },
  // Rows stored before this column keep their secrets in `destination` until the schedule
  // service seals them at start (`sealPlainDestinations`): the key comes from the server
  // secret, which migrations do not see.
  '0502_schedule_destination_secrets': {
    async up(db: MigrationDb) {
      await db.schema.alterTable('schedules').addColumn('destination_secret', 'text').execute();
    },
    async down(db: MigrationDb) {
      await db.schema.alterTable('schedules').dropColumn('destination_secret').execute();
    },
  },
  '0503_schedule_filter_values': {
    async up(db: MigrationDb) {
      await db.schema
        .alterTable('schedules')
        .addColumn('filter_values', 'text', (c) => c.notNull().defaultTo('{}'))
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.alterTable('schedules').dropColumn('filter_values').execute();
    },
  },
  // Alert conditions speak the query filters' operators; stored words become their symbols.
  '0504_condition_operators': {
    async up(db: MigrationDb) {
      await rewriteConditions(db, OPERATOR_WORDS);
    },
    async down(db: MigrationDb) {
      await rewriteConditions(db, Object.fromEntries(Object.entries(OPERATOR_WORDS).map(([w, s]) => [s, w])));
    },
  },
  // The HTML part of an email, and how long the bytes of its attachments are kept (to resend it).
  '0505_outbox_html_files': {
    async up(db: MigrationDb) {
      await db.schema.alterTable('outbox_messages').addColumn('html', 'text').execute();
      await db.schema.alterTable('outbox_messages').addColumn('files_kept_until', 'text').execute();
      await db.schema
        .createIndex('outbox_files_kept')
        .on('outbox_messages')
        .column('files_kept_until')
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropIndex('outbox_files_kept').execute();
      await db.schema.alterTable('outbox_messages').dropColumn('files_kept_until').execute();
      await db.schema.alterTable('outbox_messages').dropColumn('html').execute();
    },
  },
  /** Schedules belong to a project: a dashboard's schedules to the dashboard's. */
  '0506_schedule_projects': {
    async up(db: MigrationDb) {
      await addProjectColumn(db, 'schedules');
    },
  },
  /** An organization's own SMTP server, set at runtime instead of `SMTP_URL`. */
  '0507_mail_transports': {
    async up(db: MigrationDb) {
      await withTimestamps(db.schema.createTable('mail_transports'))
        .addColumn('organization_id', 'integer', (c) => c.primaryKey())
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('port', 'integer', (c) => c.notNull())
        .addColumn('secure', 'integer', (c) => c.notNull())
        .addColumn('username', 'text')
        .addColumn('password_sealed', 'text')
        .addColumn('from_address', 'text')
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropTable('mail_transports').execute();
    },
  },
};

// As of 0504: a migration keeps its own copy, so later changes of the vocabulary do not alter it.
const OPERATOR_WORDS: Record<string, string> = {
  greater_than: '>',
  less_than: '<',
  greater_or_equal: '>=',
  less_or_equal: '<=',
  equals: '=',
  not_equals: '!=',
};

/** Renames the operators of every stored alert condition by `names` (others stay as they are). */
async function rewriteConditions(db: MigrationDb, names: Record<string, string>) {
  const rows = await db
    .selectFrom('schedules')
    .select(['id', 'conditions'])
    .where('kind', '=', 'alert')
    .execute();
  for (const row of rows) {
    const conditions = JSON.parse(row.conditions) as Array<{ operator: string }>;
    const renamed = conditions.map((c) => ({ ...c, operator: names[c.operator] ?? c.operator }));
    await db
      .updateTable('schedules')
      .set({ conditions: JSON.stringify(renamed) })
      .where('id', '=', row.id)
      .execute();
  }
}
