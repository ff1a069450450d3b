import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapDirectory } from '../auth/bootstrap.ts';
import type { Principal } from '../auth/principal.ts';
import { RosettaError } from '../errors.ts';
import { getDefaultOrganization, getDefaultProject } from './organizations.ts';
import { createDirectoryService, type DirectoryService } from './service.ts';
import { openTestStore, principalOf } from './test-support.ts';
import { getUserByEmail } from './users-read.ts';

describe('attribute entries', async () => {
  const env = await openTestStore('sqlite');
  let directory: DirectoryService;
  let admin: Principal;
  let viewer: Principal;
  let userId: number;
  let groupId: number;
  let region: number;
  let score: number;

  beforeAll(async () => {
    await bootstrapDirectory(env.store, { adminEmail: 'admin@example.com', adminPassword: 'admin-password' });
    directory = createDirectoryService(env.store);
    const org = await getDefaultOrganization(env.store.db);
    const projectId = (await getDefaultProject(env.store.db, org.id)).id;
    admin = principalOf(await getUserByEmail(env.store.db, org.id, 'admin@example.com'), projectId);
    const user = await directory.createUser(admin, { email: 'v@example.com', password: 'password1' });
    viewer = principalOf(user, projectId);
    userId = user.id;
    groupId = (await directory.createGroup(admin, { name: 'EU' })).id;
    await directory.addMember(admin, groupId, userId);
    region = (await directory.defineAttribute(admin, { key: 'region', type: 'string' })).id;
    score = (await directory.defineAttribute(admin, { key: 'score', type: 'number' })).id;
  });
  afterAll(() => env.close());

  it('sets one attribute of a subject and leaves its others alone; null holds none (inherit)', async () => {
    await directory.setUserAttributes(admin, userId, { score: 3 });
    await directory.setAttributeEntries(admin, [
      { definitionId: region, subject: 'group', subjectId: groupId, values: ['EU', 'UK', 'EU'] },
      { definitionId: region, subject: 'user', subjectId: userId, values: ['US'] },
    ]);
    expect(await directory.getUserAttributes(admin, userId)).toEqual({ score: ['3'], region: ['US'] });
    expect(await directory.getGroupAttributes(admin, groupId)).toEqual({ region: ['EU', 'UK'] });
    await directory.setAttributeEntries(admin, [
      { definitionId: region, subject: 'user', subjectId: userId, values: null },
    ]);
    expect(await directory.effectiveAttributes(admin, userId)).toEqual({
      score: ['3'],
      region: ['EU', 'UK'],
    });
  });

  it('checks every entry before writing any, naming the bad one', async () => {
    const refused = await directory
      .setAttributeEntries(admin, [
        { definitionId: score, subject: 'group', subjectId: groupId, values: ['1.50'] },
        { definitionId: score, subject: 'user', subjectId: userId, values: ['lots'] },
      ])
      .catch((error: RosettaError) => error);
    expect(refused).toBeInstanceOf(RosettaError);
    expect((refused as RosettaError).field).toBe('entries[1].values[0]');
    expect((await directory.getGroupAttributes(admin, groupId)).score).toBeUndefined();
    const missing = await directory
      .setAttributeEntries(admin, [{ definitionId: score, subject: 'user', subjectId: 999_999, values: [] }])
      .catch((error: RosettaError) => error.code);
    expect(missing).toBe('ERR_NOT_FOUND');
  });

  it('is for admins', async () => {
    const refused = await directory
      .setAttributeEntries(viewer, [
        { definitionId: region, subject: 'user', subjectId: userId, values: ['x'] },
      ])
      .catch((error: RosettaError) => error.code);
    expect(refused).toBe('ERR_FORBIDDEN');
  });
});
