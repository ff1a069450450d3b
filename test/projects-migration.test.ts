import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Migration, type MigrationProvider, Migrator } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresStore, openSqliteStore, type Store } from '../src/store/database.ts';
import { allMigrations, migrateToLatest } from '../src/store/migrate.ts';
import type { MigrationDb } from '../src/store/schema.ts';
import { createTempPostgres } from './support/databases.ts';

/**
 * The migrations that give content to projects, run on stores that already hold rows: every row
 * goes to its organization's default project, and from then on a row without a project is refused.
 */

const PROJECT_MIGRATIONS = [
  '0240_model_projects',
  '0250_model_names_per_project',
  '0350_content_projects',
  '0506_schedule_projects',
];
const PROJECT_TABLES = ['models', 'folders', 'dashboards', 'charts', 'schedules'];

/** Every migration as the store had them before projects held content. */
const before: Record<string, Migration> = Object.fromEntries(
  Object.entries(allMigrations).filter(([name]) => !PROJECT_MIGRATIONS.includes(name)),
);

async function migrateBeforeProjects(store: Store): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => before };
  const { error } = await new Migrator({
    db: store.db,
    provider,
    allowUnorderedMigrations: true,
  }).migrateToLatest();
  if (error) throw error;
}

/** An organization with its default project and a second one, and one row of each kind. */
async function seedOrganization(db: MigrationDb, name: string) {
  const at = new Date().toISOString();
  const stamp = { created_at: at, updated_at: at };
  const insert = async (table: string, values: Record<string, unknown>) =>
    (await db.insertInto(table).values(values).returning('id').executeTakeFirstOrThrow()).id as number;
  const organization = await insert('organizations', { uuid: `${name}-org`, name, ...stamp });
  const project = (suffix: string, isDefault: number) =>
    insert('projects', {
      uuid: `${name}-${suffix}`,
      organization_id: organization,
      name: suffix,
      is_default: isDefault,
      ...stamp,
    });
  // Created first, so "the lowest id" would pick the wrong one: the default flag decides.
  await project('other', 0);
  const defaultProject = await project('default', 1);
  const owned = { organization_id: organization, ...stamp };
  const connection = await insert('connections', { uuid: `${name}-c`, name: 'c', type: 'duckdb', ...owned });
  await insert('models', {
    uuid: `${name}-m`,
    name: 'm',
    connection_id: connection,
    definition: '{}',
    ...owned,
  });
  const folder = await insert('folders', { uuid: `${name}-f`, name: 'f', created_by: 1, ...owned });
  const content = { created_by: 1, updated_by: 1, version: 1, ...owned };
  await insert('charts', {
    uuid: `${name}-ch`,
    name: 'ch',
    folder_id: folder,
    query: '{}',
    visualization: '{"type":"table"}',
    ...content,
  });
  const { created_by: _, ...dashboard } = content;
  await insert('dashboards', {
    uuid: `${name}-d`,
    name: 'd',
    owner_id: 1,
    folder_id: folder,
    definition: '{}',
    ...dashboard,
  });
  await insert('schedules', {
    uuid: `${name}-s`,
    owner_id: 1,
    kind: 'delivery',
    name: 's',
    cron: '0 8 * * *',
    timezone: 'UTC',
    paused: 0,
    target: '{"dashboard":1}',
    format: 'pdf',
    filters: '[]',
    variables: '{}',
    destination: '{}',
    conditions: '[]',
    ...owned,
  });
  return { organization, defaultProject };
}

const postgres = await createTempPostgres('rosetta_projects');
const dirs: string[] = [];
afterAll(async () => {
  await postgres.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const backends = [
  {
    kind: 'sqlite',
    available: true,
    open: () => {
      const dir = mkdtempSync(join(tmpdir(), 'rosetta-projects-'));
      dirs.push(dir);
      return openSqliteStore(join(dir, 'meta.db'));
    },
  },
  { kind: 'postgres', available: postgres.available, open: () => openPostgresStore(postgres.url) },
];

describe.each(backends)('giving content to projects on $kind', ({ available, open }) => {
  it.skipIf(!available)(
    "back-fills every row with its organization's default project, then requires one",
    async () => {
      const store = open();
      try {
        await migrateBeforeProjects(store);
        const db = store.db as unknown as MigrationDb;
        const first = await seedOrganization(db, 'first');
        const second = await seedOrganization(db, 'second');
        await migrateToLatest(store);

        for (const table of PROJECT_TABLES) {
          const rows = await db.selectFrom(table).select(['organization_id', 'project_id']).execute();
          expect(rows, table).toHaveLength(2);
          for (const row of rows) {
            const expected = row.organization_id === first.organization ? first : second;
            expect(row.project_id, table).toBe(expected.defaultProject);
          }
        }
        // NOT NULL from now on: a column constraint on PostgreSQL, triggers on SQLite.
        const nulled = db.updateTable('models').set({ project_id: null }).execute();
        await expect(nulled).rejects.toThrow(/project_id/);
        const at = new Date().toISOString();
        const unowned = db
          .insertInto('folders')
          .values({
            uuid: 'no-project',
            organization_id: first.organization,
            name: 'x',
            created_by: 1,
            created_at: at,
            updated_at: at,
          })
          .execute();
        await expect(unowned).rejects.toThrow(/project_id/);
        // The reference holds: no project that does not exist.
        const dangling = db.updateTable('charts').set({ project_id: 999_999 }).execute();
        await expect(dangling).rejects.toThrow(/foreign key/i);
      } finally {
        await store.close();
      }
    },
    60_000,
  );
});
