import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDefaultOrganization, getDefaultProject } from '../directory/organizations.ts';
import { createDirectoryService } from '../directory/service.ts';
import { openTestStore, principalOf } from '../directory/test-support.ts';
import { getUserByEmail } from '../directory/users-read.ts';
import type { RosettaError } from '../errors.ts';
import { bootstrapDirectory } from './bootstrap.ts';
import type { Principal } from './principal.ts';
import { type AuthService, createAuthService } from './service.ts';

describe('API key holders', async () => {
  const env = await openTestStore('sqlite');
  let auth: AuthService;
  let admin: Principal;
  let viewer: Principal;

  beforeAll(async () => {
    await bootstrapDirectory(env.store, { adminEmail: 'admin@example.com', adminPassword: 'admin-password' });
    auth = createAuthService({ store: env.store });
    const org = await getDefaultOrganization(env.store.db);
    const projectId = (await getDefaultProject(env.store.db, org.id)).id;
    admin = principalOf(await getUserByEmail(env.store.db, org.id, 'admin@example.com'), projectId);
    const user = await createDirectoryService(env.store).createUser(admin, {
      email: 'v@example.com',
      password: 'password1',
    });
    viewer = principalOf(user, projectId);
  });
  afterAll(() => env.close());

  it('tells who holds a live key: a revoked key does not count', async () => {
    expect(await auth.keyHolders(admin, [viewer.userId])).toEqual(new Set());
    const { apiKey } = await auth.createApiKey(viewer, { name: 'mine' });
    expect((await auth.keyHolders(admin, [viewer.userId, admin.userId])).has(viewer.userId)).toBe(true);
    await auth.revokeApiKey(viewer, apiKey.id);
    expect(await auth.keyHolders(admin, [viewer.userId])).toEqual(new Set());
  });

  it('answers users about themselves and admins about anyone', async () => {
    expect(await auth.keyHolders(viewer, [viewer.userId])).toEqual(new Set());
    const refused = await auth.keyHolders(viewer, [admin.userId]).catch((error: RosettaError) => error.code);
    expect(refused).toBe('ERR_FORBIDDEN');
  });
});
