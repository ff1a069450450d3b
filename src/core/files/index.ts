import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.ts';
import { createLargeObjectFiles } from './large-objects.ts';
import { directoryFiles, type SharedFiles } from './shared-files.ts';

export { sharedFileMigrations } from './tables.ts';
export { createLargeObjectFiles, directoryFiles, type SharedFiles };

/** The store the configuration names (`filesStore`): large objects need the metadata on PostgreSQL. */
export const sharedFilesOf = (
  kind: 'directory' | 'postgres',
  store: { db: Kysely<Database> },
): SharedFiles => (kind === 'postgres' ? createLargeObjectFiles(store) : directoryFiles);
