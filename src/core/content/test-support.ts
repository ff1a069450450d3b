import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgresStore, openSqliteStore, type Store } from '../../store/database.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import type { Principal, Role } from '../auth/principal.ts';
import { countOrganizations, createOrganization } from '../directory/organizations.ts';

/**
 * The two metadata stores every content test runs against, fresh per test file. The test passes
 * in its temporary PostgreSQL database (test/support/databases.ts), so this file, which the
 * build compiles, imports nothing from outside src.
 */
export interface Backend {
  kind: 'sqlite' | 'postgres';
  available: boolean;
  open(): Promise<Store>;
}

export function contentBackends(postgres: { available: boolean; url: string; drop(): Promise<void> }): {
  backends: Backend[];
  cleanup(): Promise<void>;
} {
  const dirs: string[] = [];
  // Content belongs to a project: the store gets organization 1 and its default project 1, which
  // every test principal names (their own organizations need no row of their own).
  const migrated = async (store: Store) => {
    await migrateToLatest(store);
    if ((await countOrganizations(store.db)) === 0) await createOrganization(store.db, 'Content tests');
    return store;
  };
  return {
    backends: [
      {
        kind: 'sqlite',
        available: true,
        open: () => {
          const dir = mkdtempSync(join(tmpdir(), 'rosetta-content-'));
          dirs.push(dir);
          return migrated(openSqliteStore(join(dir, 'meta.db')));
        },
      },
      {
        kind: 'postgres',
        available: postgres.available,
        open: () => migrated(openPostgresStore(postgres.url)),
      },
    ],
    async cleanup() {
      await postgres.drop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

let nextOrganizationId = 1;

/** Principals of a fresh organization, so tests sharing a store never see each other's content. */
export function organization() {
  const organizationId = nextOrganizationId++;
  const principal = (userId: number, role: Role, groupIds: number[] = []): Principal => ({
    kind: 'session',
    userId,
    userUuid: `user-${userId}`,
    email: `user${userId}@example.com`,
    organizationId,
    projectId: 1,
    role,
    groupIds,
    attributes: {},
  });
  return {
    organizationId,
    principal,
    admin: principal(1, 'admin'),
    editor: principal(2, 'editor'),
    otherEditor: principal(3, 'editor'),
    viewer: principal(4, 'viewer'),
    /** A viewer in group 50. */
    groupViewer: principal(5, 'interactive_viewer', [50]),
  };
}
