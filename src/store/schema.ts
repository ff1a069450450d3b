import type { CreateTableBuilder, Kysely } from 'kysely';
import { PostgresAdapter } from 'kysely';

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
