import type { Kysely } from 'kysely';
import type { Database, Store } from '../../store/database.ts';
import {
  countOrganizations,
  createOrganization,
  getDefaultOrganization,
} from '../directory/organizations.ts';
import { insertUser } from '../directory/users-write.ts';
import { isUniqueViolation } from '../directory/validation.ts';
import { registerApiKey } from './api-keys.ts';
import { generateApiKey, generatePassword } from './secrets.ts';

/**
 * First start: on an empty store, create the organization "Default", its default project, the
 * admin and an API key, and hand back the generated secrets once so the server can print them.
 * Lives in auth rather than directory because it mints credentials (auth depends on directory,
 * never the reverse).
 */

export interface BootstrapOptions {
  adminEmail: string;
  /** Generated (and returned) when absent. */
  adminPassword?: string;
  /** Registered exactly once, even across restarts; one is generated (and returned) when absent. */
  bootstrapApiKey?: string;
}

export interface BootstrapResult {
  created: boolean;
  adminEmail: string;
  generatedPassword?: string;
  generatedApiKey?: string;
}

const KEY_NAME = 'bootstrap';

export async function bootstrapDirectory(store: Store, options: BootstrapOptions): Promise<BootstrapResult> {
  const { db } = store;
  if ((await countOrganizations(db)) === 0) {
    const password = options.adminPassword ?? generatePassword();
    const apiKey = options.bootstrapApiKey ?? generateApiKey();
    try {
      const admin = await db.transaction().execute(async (trx) => {
        const { organization } = await createOrganization(trx, 'Default');
        const user = await insertUser(trx, organization.id, {
          email: options.adminEmail,
          name: 'Admin',
          role: 'admin',
          password,
        });
        await registerApiKey(trx, user.id, apiKey, KEY_NAME, new Date());
        return user;
      });
      return {
        created: true,
        adminEmail: admin.email,
        ...(options.adminPassword === undefined && { generatedPassword: password }),
        ...(options.bootstrapApiKey === undefined && { generatedApiKey: apiKey }),
      };
    } catch (error) {
      // Another process bootstrapped the same store first: continue as on a non-empty store.
      if (!isUniqueViolation(error)) throw error;
    }
  }
  if (options.bootstrapApiKey !== undefined)
    await registerConfiguredKey(db, options.adminEmail, options.bootstrapApiKey);
  return { created: false, adminEmail: options.adminEmail.trim().toLowerCase() };
}

/** The configured key belongs to the configured admin or, if that user is gone, the oldest active admin. */
async function registerConfiguredKey(db: Kysely<Database>, adminEmail: string, key: string): Promise<void> {
  const organization = await getDefaultOrganization(db);
  const owner = await db
    .selectFrom('users')
    .select(['id'])
    .where('organization_id', '=', organization.id)
    .where('role', '=', 'admin')
    .where('status', '=', 'active')
    .orderBy((eb) => eb.case().when('email', '=', adminEmail.trim().toLowerCase()).then(0).else(1).end())
    .orderBy('id')
    .executeTakeFirst();
  if (!owner) throw new Error('cannot register the bootstrap API key: the store has no active admin');
  await registerApiKey(db, owner.id, key, KEY_NAME, new Date());
}
