import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempPostgres } from '../../../test/support/databases.ts';
import { openPostgresStore, openSqliteStore, type Store, type StoreKind } from '../../store/database.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import type { Principal } from '../auth/principal.ts';
import type { User } from './types.ts';

/**
 * Test support for the directory and auth modules: a fresh migrated store of either kind, so one
 * test body runs against SQLite and PostgreSQL. Every module's migrations are applied: auth and
 * directory changes write the audit log and refer to other modules' tables.
 */

export const storeKinds: StoreKind[] = ['sqlite', 'postgres'];

export interface TestStore {
  available: boolean;
  store: Store;
  close(): Promise<void>;
}

export async function openTestStore(kind: StoreKind): Promise<TestStore> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'rosetta-directory-'));
    const store = openSqliteStore(join(dir, 'metadata.sqlite'));
    await migrateToLatest(store);
    return {
      available: true,
      store,
      close: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const temp = await createTempPostgres('rosetta_directory');
  if (!temp.available)
    return { available: false, store: undefined as unknown as Store, close: async () => {} };
  const store = openPostgresStore(temp.url);
  await migrateToLatest(store);
  return {
    available: true,
    store,
    close: async () => {
      await store.close();
      await temp.drop();
    },
  };
}

/** A principal for `user` as a session would give it (no groups or attributes unless passed). */
export function principalOf(user: User, projectId: number, extra: Partial<Principal> = {}): Principal {
  return {
    kind: 'session',
    userId: user.id,
    userUuid: user.uuid,
    email: user.email,
    organizationId: user.organizationId,
    projectId,
    role: user.role,
    groupIds: [],
    attributes: {},
    ...extra,
  };
}
