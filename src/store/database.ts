import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { AuditTables } from '../core/audit/tables.ts';
import type { EmbedTables } from '../core/auth/tables.ts';
import type { CatalogLabelTables } from '../core/content/catalog-label-tables.ts';
import type { CommentTables } from '../core/content/comment-tables.ts';
import type { CurationTables } from '../core/content/curation-tables.ts';
import type { FavouriteTables } from '../core/content/favourite-tables.ts';
import type { FolderItemTables } from '../core/content/folder-tables.ts';
import type { SqlChartTables } from '../core/content/sql-chart-tables.ts';
import type { ContentTables } from '../core/content/tables.ts';
import type { MemberRuleTables } from '../core/data/member-rule-tables.ts';
import type { DataTables } from '../core/data/tables.ts';
import type { AccountTables } from '../core/directory/account-tables.ts';
import type { DirectoryTables } from '../core/directory/tables.ts';
import type { ExternalIdTables } from '../core/ids/tables.ts';
import type { JobTables } from '../core/jobs/tables.ts';
import type { ScheduleTables } from '../core/schedules/tables.ts';
import type { ScriptTables } from '../core/scripts/tables.ts';

/** Every table of the metadata store; each core module declares its own. */
export interface Database
  extends DirectoryTables,
    AccountTables,
    DataTables,
    MemberRuleTables,
    ContentTables,
    FavouriteTables,
    CommentTables,
    CatalogLabelTables,
    FolderItemTables,
    CurationTables,
    SqlChartTables,
    JobTables,
    ScheduleTables,
    EmbedTables,
    ScriptTables,
    AuditTables,
    ExternalIdTables {}

export type StoreKind = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  kind: StoreKind;
  close(): Promise<void>;
}

// PostgreSQL returns BIGINT (count(*)) as text by default; our counts fit in a JS number.
pg.types.setTypeParser(20, (value) => Number(value));

export function openSqliteStore(file: string): Store {
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return { db, kind: 'sqlite', close: () => db.destroy() };
}

export function openPostgresStore(connectionString: string): Store {
  const pool = new pg.Pool({ connectionString, max: 10 });
  // An idle client dropped by the server (restart, admin kill) must not crash the process;
  // the pool replaces it on the next checkout.
  pool.on('error', (error) => {
    process.emitWarning(`metadata store connection lost: ${error.message}`);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

export async function pingStore(store: Store): Promise<void> {
  await sql`select 1`.execute(store.db);
}
