import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Migration, Migrator } from 'kysely';
import { openPostgresStore, openSqliteStore, type Store, type StoreKind } from '../../store/database.ts';
import type { Principal, Role } from '../auth/principal.ts';
import { jobMigrations } from './migrations.ts';

/**
 * Stores for the jobs tests. Only the jobs migrations (plus any the caller names) are applied, so
 * these tests do not depend on other modules' work in progress. The caller passes its temporary
 * PostgreSQL database (test/support/databases.ts), so this file imports nothing outside src.
 */

export async function migrateJobs(store: Store, extra: Record<string, Migration> = {}): Promise<void> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => ({ ...extra, ...jobMigrations }) },
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

/** A fresh SQLite file in a temporary folder; `remove` deletes the folder. */
export function tempSqliteFile(): { file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'rosetta-jobs-'));
  return { file: join(dir, 'meta.sqlite'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function openJobStore(
  kind: StoreKind,
  postgresUrl: string,
): Promise<{ store: Store; close(): Promise<void> }> {
  if (kind === 'postgres') {
    const store = openPostgresStore(postgresUrl);
    await migrateJobs(store);
    return { store, close: () => store.close() };
  }
  const temp = tempSqliteFile();
  const store = openSqliteStore(temp.file);
  await migrateJobs(store);
  return {
    store,
    close: async () => {
      await store.close();
      temp.remove();
    },
  };
}

export function userPrincipal(userId: number, role: Role, organizationId = 1): Principal {
  return {
    kind: 'session',
    userId,
    userUuid: `user-${userId}`,
    email: `user${userId}@example.com`,
    organizationId,
    projectId: 1,
    role,
    groupIds: [],
    attributes: {},
  };
}
