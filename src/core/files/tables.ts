import type { Migration } from 'kysely';
import type { MigrationDb } from '../../store/schema.ts';

/** Files published for every node (`large-objects.ts`): the bytes are the large object `oid`. */
export type SharedFileTables = {
  shared_files: SharedFileRow;
};

export interface SharedFileRow {
  /** Relative to the files dir, `/`-separated: `exports/<key>/<file name>`. */
  path: string;
  oid: number;
  size: number;
  /** ISO time of the publication, which expiry counts from and local copies carry as mtime. */
  created_at: string;
}

/** Created on SQLite too, where it stays empty: the large objects exist only on PostgreSQL. */
export const sharedFileMigrations: Record<string, Migration> = {
  '1000_shared_files': {
    async up(db: MigrationDb) {
      await db.schema
        .createTable('shared_files')
        .addColumn('path', 'text', (c) => c.primaryKey())
        .addColumn('oid', 'bigint', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
};
