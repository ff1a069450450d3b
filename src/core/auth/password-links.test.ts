import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDefaultOrganization, getDefaultProject } from '../directory/organizations.ts';
import { openTestStore, principalOf, storeKinds } from '../directory/test-support.ts';
import { getUserByEmail } from '../directory/users-read.ts';
import { RosettaError } from '../errors.ts';
import { bootstrapDirectory } from './bootstrap.ts';
import type { Principal } from './principal.ts';
import { type AuthService, createAuthService } from './service.ts';

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) => (error instanceof RosettaError ? `${error.code} ${error.message}` : error),
  );

describe.each(storeKinds)('password links on %s', async (kind) => {
  const env = await openTestStore(kind);
  let clock = new Date('2030-01-01T00:00:00Z');
  let auth: AuthService;
  let admin: Principal;

  beforeAll(async () => {
    if (!env.available) return;
    await bootstrapDirectory(env.store, { adminEmail: 'root@example.com', adminPassword: 'root-password' });
    auth = createAuthService({ store: env.store, now: () => clock });
    const org = await getDefaultOrganization(env.store.db);
    const project = await getDefaultProject(env.store.db, org.id);
    admin = principalOf(await getUserByEmail(env.store.db, org.id, 'root@example.com'), project.id);
  });
  afterAll(() => env.close());

  it.skipIf(!env.available)('invites, expires after 7 days, and is used once', async () => {
    const { user, link } = await auth.invite(admin, { email: 'guest@example.com', name: 'Guest' });
    expect(user).toMatchObject({ status: 'pending', role: 'viewer', hasPassword: false });
    expect(link).toMatchObject({ purpose: 'invitation', expiresAt: '2030-01-08T00:00:00.000Z' });
    expect(link.url).toBe(`/invite/${link.token}`);
    expect(await auth.openPasswordLink(link.token)).toEqual({
      purpose: 'invitation',
      userUuid: user.uuid,
      organizationUuid: expect.any(String),
      url: link.url,
      email: 'guest@example.com',
      name: 'Guest',
      organizationName: 'Default',
      expiresAt: link.expiresAt,
    });

    clock = new Date('2030-01-08T00:00:00Z');
    expect(await refusal(auth.openPasswordLink(link.token))).toMatch(/^ERR_FORBIDDEN this link has expired/);
    const fresh = await auth.issuePasswordLink(admin, user.id);
    const signedIn = await auth.acceptPasswordLink(fresh.token, { password: 'guest password' });
    expect(signedIn.user).toMatchObject({
      status: 'active',
      name: 'Guest',
      lastLoginAt: clock.toISOString(),
    });
    expect((await auth.authenticate(signedIn.token)).userId).toBe(user.id);
    expect(await refusal(auth.acceptPasswordLink(fresh.token, { password: 'other password' }))).toMatch(
      /^ERR_FORBIDDEN this link was already used/,
    );
    expect(await refusal(auth.openPasswordLink('rsl_unknown'))).toBe('ERR_UNAUTHENTICATED unknown link');
  });

  it.skipIf(!env.available)('lets only one of two simultaneous uses of a link through', async () => {
    const { link } = await auth.invite(admin, { email: 'racer@example.com' });
    const outcomes = await Promise.allSettled([
      auth.acceptPasswordLink(link.token, { password: 'first racer 1' }),
      auth.acceptPasswordLink(link.token, { password: 'second racer 2' }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
  });
});
