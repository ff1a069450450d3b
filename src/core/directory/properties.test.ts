import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { bootstrapDirectory } from '../auth/bootstrap.ts';
import type { Principal } from '../auth/principal.ts';
import { createAuthService } from '../auth/service.ts';
import { isRosettaError } from '../errors.ts';
import { getDefaultOrganization } from './organizations.ts';
import { createDirectoryService } from './service.ts';
import { openTestStore, principalOf, storeKinds } from './test-support.ts';
import { getUserByEmail } from './users-read.ts';

/** Whatever a client sends, the directory answers with a Rosetta error or a result, never a crash. */
const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.emailAddress(),
  fc.constant('\u0000'),
);

async function onlyRosettaErrors(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!isRosettaError(error)) throw error;
  }
}

describe.each(storeKinds)('arbitrary input on %s', async (kind) => {
  const env = await openTestStore(kind);
  let admin: Principal;
  beforeAll(async () => {
    if (!env.available) return;
    await bootstrapDirectory(env.store, { adminEmail: 'prop@example.com', adminPassword: 'password1' });
    const org = await getDefaultOrganization(env.store.db);
    admin = principalOf(await getUserByEmail(env.store.db, org.id, 'prop@example.com'), 1);
  });
  afterAll(() => env.close());

  it.skipIf(!env.available)('never causes a non-Rosetta error', async () => {
    const directory = createDirectoryService(env.store);
    const auth = createAuthService({ store: env.store });
    await fc.assert(
      fc.asyncProperty(anyText, anyText, anyText, anyText, async (email, password, name, other) => {
        await onlyRosettaErrors(() =>
          directory.createUser(admin, { email, password, name, timezone: other || undefined }),
        );
        await onlyRosettaErrors(() => directory.listUsers(admin, { search: name }));
        await onlyRosettaErrors(() => directory.createGroup(admin, { name, description: other }));
        await onlyRosettaErrors(() => auth.login(email, password));
        await onlyRosettaErrors(() => auth.authenticate(other));
        await onlyRosettaErrors(() =>
          directory.defineAttribute(admin, { key: name, type: 'string', description: other }),
        );
        await onlyRosettaErrors(() => directory.setUserAttributes(admin, admin.userId, { [name]: other }));
        await onlyRosettaErrors(() => auth.createApiKey(admin, { name, expiresAt: other }));
      }),
      { numRuns: 40 },
    );
  });
});
