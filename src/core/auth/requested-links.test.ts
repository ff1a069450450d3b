import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDefaultOrganization, getDefaultProject } from '../directory/organizations.ts';
import { createDirectoryService } from '../directory/service.ts';
import { openTestStore, principalOf, storeKinds } from '../directory/test-support.ts';
import { getUserByEmail } from '../directory/users-read.ts';
import { type AccountService, createAccountService } from './account.ts';
import { bootstrapDirectory } from './bootstrap.ts';
import type { Principal } from './principal.ts';
import { type AuthService, createAuthService } from './service.ts';

describe.each(storeKinds)('password links users ask for, on %s', async (kind) => {
  const env = await openTestStore(kind);
  const sent: { organizationId: number; to: string; subject: string; text: string }[] = [];
  let account: AccountService;
  let auth: AuthService;
  let admin: Principal;

  beforeAll(async () => {
    if (!env.available) return;
    await bootstrapDirectory(env.store, { adminEmail: 'root@example.com', adminPassword: 'root-password' });
    const directory = createDirectoryService(env.store);
    auth = createAuthService({ store: env.store });
    account = createAccountService({
      store: env.store,
      secret: 'test secret of the account service',
      sendNotice: async (organizationId, message) => sent.push({ organizationId, ...message }),
      directory,
    });
    const org = await getDefaultOrganization(env.store.db);
    const project = await getDefaultProject(env.store.db, org.id);
    admin = principalOf(await getUserByEmail(env.store.db, org.id, 'root@example.com'), project.id);
  });
  afterAll(() => env.close());

  const tokenIn = (text: string) =>
    /\/(?:invite|reset-password)\/(rsl_[0-9A-Za-z]+)/.exec(text)?.[1] as string;

  it.skipIf(!env.available)('emails an invitation to a pending user, a reset to an active one', async () => {
    await auth.invite(admin, { email: 'pending@example.com' });
    const url = (path: string) => `https://bi.example.com${path}`;

    await account.emailPasswordLink('Pending@Example.com', 'invitation', url);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: 'pending@example.com', subject: 'Activate your account' });
    expect(sent[0].text).toContain('https://bi.example.com/invite/');
    const invitation = tokenIn(sent[0].text);
    expect((await auth.openPasswordLink(invitation)).purpose).toBe('invitation');
    await auth.acceptPasswordLink(invitation, { password: 'pending password 1' });

    // Nothing is sent, and nothing tells, for an unknown email or a status the purpose does not fit.
    await account.emailPasswordLink('nobody@example.com', 'reset', url);
    await account.emailPasswordLink('pending@example.com', 'invitation', url);
    await account.emailPasswordLink(42, 'reset', url);
    expect(sent).toHaveLength(1);

    await account.emailPasswordLink('pending@example.com', 'reset', url);
    expect(sent[1]).toMatchObject({ to: 'pending@example.com', subject: 'Reset your password' });
    const reset = tokenIn(sent[1].text);
    await account.resetPassword(reset, 'a new password 22');
    expect((await auth.login('pending@example.com', 'a new password 22')).user.email).toBe(
      'pending@example.com',
    );
  });
});
