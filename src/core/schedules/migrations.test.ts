import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../store/database.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import { createOrganization } from '../directory/organizations.ts';
import { scheduleMigrations } from './migrations.ts';

describe('schedule migrations', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-schedule-migrations-'));
  const store = openSqliteStore(join(dataDir, 'meta.sqlite'));
  await migrateToLatest(store);
  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('rewrites the words of stored alert conditions as the filter operators, and back', async () => {
    const words = [
      { field: 'a', aggregation: 'sum', operator: 'greater_or_equal', values: [1] },
      { field: 'b', aggregation: 'first', operator: 'not_equals', values: ['x'] },
      { field: 'c', aggregation: 'max', operator: 'between', values: [1, 2] },
    ];
    const at = new Date().toISOString();
    const { organization, project } = await createOrganization(store.db, 'Migration tests');
    const { id } = await store.db
      .insertInto('schedules')
      .values({
        uuid: 'migration-test',
        organization_id: organization.id,
        project_id: project.id,
        owner_id: 1,
        kind: 'alert',
        name: 'old words',
        cron: '0 * * * *',
        timezone: 'UTC',
        paused: 0,
        target: '{"query":{}}',
        format: 'csv',
        filters: '[]',
        variables: '{}',
        destination: '{"type":"email","recipients":["a@example.test"],"subject":null,"message":null}',
        conditions: JSON.stringify(words),
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const stored = async () =>
      JSON.parse(
        (
          await store.db
            .selectFrom('schedules')
            .select('conditions')
            .where('id', '=', id)
            .executeTakeFirstOrThrow()
        ).conditions,
      ).map((c: { operator: string }) => c.operator);
    const migration = scheduleMigrations['0504_condition_operators'];
    await migration.up(store.db);
    expect(await stored()).toEqual(['>=', '!=', 'between']);
    await migration.down?.(store.db);
    expect(await stored()).toEqual(['greater_or_equal', 'not_equals', 'between']);
  });
});
