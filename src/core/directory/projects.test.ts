import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapDirectory } from '../auth/bootstrap.ts';
import type { Principal } from '../auth/principal.ts';
import { createContentService } from '../content/index.ts';
import { RosettaError } from '../errors.ts';
import { createOrganization, getDefaultOrganization, getDefaultProject } from './organizations.ts';
import { createProjectService, projectForNew, projectOf } from './projects.ts';
import { openTestStore, principalOf, storeKinds } from './test-support.ts';
import { getUserByEmail } from './users-read.ts';

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) =>
      error instanceof RosettaError ? `${error.code}${error.field ? `:${error.field}` : ''}` : error,
  );

describe.each(storeKinds)('projects on %s', async (kind) => {
  const env = await openTestStore(kind);
  let admin: Principal;
  let defaultProjectId: number;
  const projects = () => createProjectService(env.store.db);

  beforeAll(async () => {
    if (!env.available) return;
    await bootstrapDirectory(env.store, { adminEmail: 'admin@example.com', adminPassword: 'admin-password' });
    const org = await getDefaultOrganization(env.store.db);
    defaultProjectId = (await getDefaultProject(env.store.db, org.id)).id;
    admin = principalOf(await getUserByEmail(env.store.db, org.id, 'admin@example.com'), defaultProjectId);
  });
  afterAll(() => env.close());

  it.skipIf(!env.available)(
    'keeps names trimmed, unique in the organization and 1 to 100 characters',
    async () => {
      const project = await projects().create(admin, { name: '  Growth ' });
      expect(project).toMatchObject({
        name: 'Growth',
        isDefault: false,
        organizationId: admin.organizationId,
      });
      expect(await code(projects().create(admin, { name: 'Growth' }))).toBe('ERR_CONFLICT:name');
      expect(await code(projects().create(admin, { name: '' }))).toBe('ERR_VALIDATION:name');
      expect(await code(projects().create(admin, { name: 'y'.repeat(101) }))).toBe('ERR_VALIDATION:name');
      expect(await code(projects().rename(admin, project.id, { name: 'Expansion' }))).toBe('ok');
      expect((await projects().list(admin)).map((p) => p.name)).toEqual([expect.any(String), 'Expansion']);
    },
  );

  it.skipIf(!env.available)('lets every member read projects and only admins manage them', async () => {
    const editor = { ...admin, role: 'editor' as const };
    const viewer = { ...admin, role: 'viewer' as const };
    expect((await projects().list(viewer)).length).toBeGreaterThan(0);
    expect(await code(projects().create(editor, { name: 'Mine' }))).toBe('ERR_FORBIDDEN');
    expect(await code(projects().delete(editor, defaultProjectId))).toBe('ERR_FORBIDDEN');
  });

  it.skipIf(!env.available)("reads another organization's projects as unknown", async () => {
    const { project: foreign } = await createOrganization(env.store.db, `Other ${kind}`);
    expect(await code(projects().get(admin, foreign.id))).toBe('ERR_NOT_FOUND');
    expect(await code(projects().getByUuid(admin, foreign.uuid))).toBe('ERR_NOT_FOUND');
    expect((await projects().getByUuid(admin, (await projects().get(admin, defaultProjectId)).uuid)).id).toBe(
      defaultProjectId,
    );
    expect(await code(projectOf(env.store.db, admin.organizationId, foreign.id))).toBe(
      'ERR_VALIDATION:projectId',
    );
    expect(await code(projectOf(env.store.db, admin.organizationId, '1'))).toBe('ERR_VALIDATION:projectId');
    expect(await projectForNew(env.store.db, admin, undefined)).toBe(defaultProjectId);
  });

  it.skipIf(!env.available)('deletes only an empty project other than the default one', async () => {
    expect(await code(projects().delete(admin, defaultProjectId))).toBe('ERR_VALIDATION:id');
    const project = await projects().create(admin, { name: 'Short-lived' });
    const content = createContentService(env.store);
    const dashboard = await content.dashboards.create(admin, { name: 'Board', projectId: project.id });
    await content.folders.create(admin, { name: 'Folder', projectId: project.id });
    const refused = await projects()
      .delete(admin, project.id)
      .catch((error: RosettaError) => error);
    expect(refused).toMatchObject({ code: 'ERR_CONFLICT' });
    expect((refused as RosettaError).message).toMatch(/1 folder, 1 dashboard/);
    // In the trash, it still belongs to the project (a restore must find it).
    await content.dashboards.delete(admin, dashboard.id);
    expect(await code(projects().delete(admin, project.id))).toBe('ERR_CONFLICT');
    await content.trash.purge(admin, 'dashboard', dashboard.id);
    const folder = (await content.folders.list(admin, { projectId: project.id }))[0];
    await content.folders.delete(admin, folder.id);
    expect(await code(projects().delete(admin, project.id))).toBe('ok');
    expect(await code(projects().get(admin, project.id))).toBe('ERR_NOT_FOUND');
  });

  it.skipIf(!env.available)(
    'moves the schedules in the old scheduler zone with the project, all at once, and keeps the others',
    async () => {
      const project = await projects().create(admin, { name: 'Zoned' });
      expect(project.schedulerTimezone).toBe('UTC');
      const schedule = (name: string, timezone: string, projectId = project.id) =>
        env.store.db
          .insertInto('schedules')
          .values({
            uuid: randomUUID(),
            organization_id: admin.organizationId,
            project_id: projectId,
            owner_id: admin.userId,
            kind: 'delivery',
            name,
            cron: '0 9 * * *',
            timezone,
            paused: 0,
            target: '{}',
            format: 'csv',
            filters: '[]',
            variables: '{}',
            destination: '{}',
            destination_secret: null,
            conditions: '[]',
            next_run_at: null,
            last_run_at: null,
            last_status: null,
            created_at: '2026-01-01T00:00:00Z',
            updated_at: '2026-01-01T00:00:00Z',
          })
          .returning('id')
          .executeTakeFirstOrThrow();
      const defaulted = await schedule('defaulted', 'UTC');
      const chosen = await schedule('chosen', 'Asia/Tokyo');
      const elsewhere = await schedule('elsewhere', 'UTC', defaultProjectId);
      const zoneOf = async ({ id }: { id: number }) =>
        await env.store.db
          .selectFrom('schedules')
          .select(['timezone', 'next_run_at'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();

      for (const bad of ['Mars/Olympus', '+01:00', 42, undefined])
        expect(
          await code(projects().setSchedulerTimezone(admin, project.id, { schedulerTimezone: bad })),
        ).toBe('ERR_VALIDATION:schedulerTimezone');
      const editor = { ...admin, role: 'editor' as const };
      expect(
        await code(
          projects().setSchedulerTimezone(editor, project.id, { schedulerTimezone: 'Europe/Paris' }),
        ),
      ).toBe('ERR_FORBIDDEN');

      const updated = await projects().setSchedulerTimezone(admin, project.id, {
        schedulerTimezone: 'europe/paris',
      });
      expect(updated.schedulerTimezone).toBe('Europe/Paris');
      expect((await projects().get(admin, project.id)).schedulerTimezone).toBe('Europe/Paris');
      expect(await zoneOf(defaulted)).toMatchObject({
        timezone: 'Europe/Paris',
        next_run_at: expect.any(String),
      });
      expect(await zoneOf(chosen)).toMatchObject({ timezone: 'Asia/Tokyo', next_run_at: null });
      expect(await zoneOf(elsewhere)).toMatchObject({ timezone: 'UTC' });
      await env.store.db
        .deleteFrom('schedules')
        .where('id', 'in', [defaulted.id, chosen.id, elsewhere.id])
        .execute();
    },
  );

  it.skipIf(!env.available)('links an upstream project of the organization, without cycles', async () => {
    const preview = await projects().create(admin, { name: `Preview ${kind}` });
    const staging = await projects().create(admin, { name: `Staging ${kind}` });
    const { project: foreign } = await createOrganization(env.store.db, `Upstream elsewhere ${kind}`);
    const developer = { ...admin, role: 'developer' as const };
    const upstreamName = async (id: number) => (await projects().upstreamOf(admin, id))?.name ?? null;

    expect(await code(projects().setUpstream(developer, preview.id, staging.uuid))).toBe('ERR_FORBIDDEN');
    expect(await code(projects().setUpstream(admin, preview.id, foreign.uuid))).toBe(
      'ERR_VALIDATION:upstreamProjectUuid',
    );
    expect(await code(projects().setUpstream(admin, preview.id, preview.uuid))).toBe(
      'ERR_VALIDATION:upstreamProjectUuid',
    );
    await projects().setUpstream(admin, preview.id, staging.uuid);
    expect(await upstreamName(preview.id)).toBe(staging.name);
    expect(await code(projects().setUpstream(admin, staging.id, preview.uuid))).toBe(
      'ERR_VALIDATION:upstreamProjectUuid',
    );
    expect(() => projects().authorizePromotion(developer, preview.id)).not.toThrow();
    expect(() => projects().authorizePromotion({ ...admin, role: 'editor' }, preview.id)).toThrow(
      RosettaError,
    );

    await projects().delete(admin, staging.id);
    expect(await upstreamName(preview.id)).toBeNull();
    await projects().setUpstream(admin, preview.id, null);
    await projects().delete(admin, preview.id);
  });
});
