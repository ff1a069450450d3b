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
});
