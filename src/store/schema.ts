import type { CreateTableBuilder, Kysely } from 'kysely';
import { PostgresAdapter, sql } from 'kysely';

/**
 * Column helpers shared by every module's migrations, so one migration text serves SQLite and
 * PostgreSQL. Conventions: timestamps are ISO-8601 UTC text, booleans are integers 0/1,
 * JSON documents are text.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run on a schema-less Kysely
export type MigrationDb = Kysely<any>;

export const isPostgres = (db: MigrationDb): boolean => db.getExecutor().adapter instanceof PostgresAdapter;

/** Adds the integer `id` primary key and the unique `uuid` every entity carries. */
export function withIdentity<T extends string>(
  db: MigrationDb,
  table: CreateTableBuilder<T, never>,
): CreateTableBuilder<T, 'id' | 'uuid'> {
  const withId = isPostgres(db)
    ? table.addColumn('id', 'serial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  return withId.addColumn('uuid', 'text', (c) => c.notNull().unique());
}

/** Adds `created_at` and `updated_at` (ISO text). */
export function withTimestamps<T extends string, C extends string>(
  table: CreateTableBuilder<T, C>,
): CreateTableBuilder<T, C | 'created_at' | 'updated_at'> {
  return table
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull());
}

export const nowIso = (): string => new Date().toISOString();

/**
 * Gives the rows of `table` (which has `organization_id`) to a project: a `project_id` column
 * referencing `projects`, back-filled with each row's organization's default project, required
 * from then on, and an index for the lists that read by project. SQLite cannot add a NOT NULL
 * column with a reference to a table that has rows, so there triggers refuse a null instead.
 */
export async function addProjectColumn(db: MigrationDb, table: string): Promise<void> {
  await db.schema
    .alterTable(table)
    .addColumn('project_id', 'integer', (c) => c.references('projects.id'))
    .execute();
  await sql`
    update ${sql.table(table)} set project_id = (
      select p.id from projects p
      where p.organization_id = ${sql.table(table)}.organization_id
      order by p.is_default desc, p.id
      limit 1
    )`.execute(db);
  if (isPostgres(db)) {
    await sql`alter table ${sql.table(table)} alter column project_id set not null`.execute(db);
  } else {
    for (const [event, when] of [
      ['insert', 'before insert'],
      ['update', 'before update of project_id'],
    ] as const) {
      await sql`
        create trigger ${sql.ref(`${table}_project_required_${event}`)}
        ${sql.raw(when)} on ${sql.table(table)}
        when new.project_id is null
        begin select raise(abort, ${sql.lit(`NOT NULL constraint failed: ${table}.project_id`)}); end`.execute(
        db,
      );
    }
  }
  await db.schema
    .createIndex(`${table}_organization_project`)
    .on(table)
    .columns(['organization_id', 'project_id'])
    .execute();
}
