import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDefaultOrganization, getDefaultProject } from '../directory/organizations.ts';
import { createDirectoryService, type DirectoryService } from '../directory/service.ts';
import { openTestStore, principalOf, storeKinds } from '../directory/test-support.ts';
import { getUserByEmail } from '../directory/users-read.ts';
import { RosettaError } from '../errors.ts';
import { bootstrapDirectory } from './bootstrap.ts';
import type { Principal } from './principal.ts';
import { type AuthService, createAuthService } from './service.ts';

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) => (error instanceof RosettaError ? error.code : error),
  );

describe.each(storeKinds)('ending sessions on %s', async (kind) => {
  const env = await openTestStore(kind);
  let auth: AuthService;
  let directory: DirectoryService;
  let admin: Principal;

  beforeAll(async () => {
    if (!env.available) return;
    await bootstrapDirectory(env.store, { adminEmail: 'root@example.com', adminPassword: 'root-password' });
    auth = createAuthService({ store: env.store });
    directory = createDirectoryService(env.store);
    const org = await getDefaultOrganization(env.store.db);
    const project = await getDefaultProject(env.store.db, org.id);
    admin = principalOf(await getUserByEmail(env.store.db, org.id, 'root@example.com'), project.id);
  });
  afterAll(() => env.close());

  it.skipIf(!env.available)('ends every session of a user, and only theirs; keys stay', async () => {
    const ann = await directory.createUser(admin, { email: 'ann@example.com', password: 'password1' });
    const bob = await directory.createUser(admin, { email: 'bob@example.com', password: 'password1' });
    const annPrincipal = principalOf(ann, admin.projectId);
    const { key } = await auth.createApiKey(annPrincipal, { name: 'ci' });
    const first = await auth.login('ann@example.com', 'password1');
    const second = await auth.login('ann@example.com', 'password1');
    const bobs = await auth.login('bob@example.com', 'password1');

    // A viewer may not end someone else's sessions, but may end their own.
    expect(await code(auth.endSessions(annPrincipal, [bob.id]))).toBe('ERR_FORBIDDEN');
    expect(await auth.endSessions(annPrincipal, [ann.id])).toBe(2);
    expect(await code(auth.authenticate(first.token))).toBe('ERR_UNAUTHENTICATED');
    expect(await code(auth.authenticate(second.token))).toBe('ERR_UNAUTHENTICATED');
    expect(await code(auth.authenticate(key))).toBe('ok');
    expect(await code(auth.authenticate(bobs.token))).toBe('ok');

    expect(await auth.endSessions(admin, [bob.id, bob.id])).toBe(1);
    expect(await code(auth.authenticate(bobs.token))).toBe('ERR_UNAUTHENTICATED');
    expect(await code(auth.endSessions(admin, [0]))).toBe('ERR_VALIDATION');
  });
});
