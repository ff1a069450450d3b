import { registerApiKey } from '../core/auth/api-keys.ts';
import { generateApiKey, generatePassword } from '../core/auth/secrets.ts';
import type { ConnectionService } from '../core/data/connections.ts';
import type { Connection } from '../core/data/types.ts';
import { countOrganizations, createOrganization } from '../core/directory/organizations.ts';
import type { Organization, Project } from '../core/directory/types.ts';
import { insertUser } from '../core/directory/users-write.ts';
import {
  isUniqueViolation,
  normalizeEmail,
  requiredText,
  validPassword,
} from '../core/directory/validation.ts';
import { conflict } from '../core/errors.ts';
import type { Store } from '../store/database.ts';

export interface NewOrganization {
  name: string;
  adminEmail: string;
  /** Generated (and returned) when absent. */
  adminPassword?: string;
}

export interface CreatedOrganization {
  organization: Organization;
  project: Project;
  adminEmail: string;
  /** The admin's API key, stored hashed: this is the only time it is seen. */
  apiKey: string;
  generatedPassword?: string;
  /** The organization's "Embedded DuckDB", whose warehouse file is its own. */
  connection: Connection;
}

const API_KEY_NAME = 'create-organization';

/** The input trimmed and normalized; ERR_VALIDATION naming the field otherwise. */
export function checkNewOrganization(input: NewOrganization): NewOrganization {
  return {
    name: requiredText('name', input.name),
    adminEmail: normalizeEmail(input.adminEmail, 'adminEmail'),
    ...(input.adminPassword !== undefined && {
      adminPassword: validPassword(input.adminPassword, 'adminPassword'),
    }),
  };
}

/**
 * A new organization, as the first start makes the default one: its default project, an admin
 * with a password and an API key, and its built-in connection to a warehouse of its own
 * (`warehouse-files.ts`). Refuses (ERR_VALIDATION / ERR_CONFLICT naming the field) a bad name,
 * email or password and a name already taken, leaving nothing behind. The store must have been
 * set up by a first start, so that the default organization stays the one that was there first.
 */
export async function createOrganizationWithAdmin(
  deps: {
    store: Store;
    connections: Pick<ConnectionService, 'ensureEmbedded'>;
    /** Managed storage on one shared warehouse (`ROSETTA_STORAGE_URL`). */
    sharedStorage?: boolean;
  },
  input: NewOrganization,
): Promise<CreatedOrganization> {
  const { db } = deps.store;
  const { name, adminEmail, adminPassword } = checkNewOrganization(input);
  const password = adminPassword ?? generatePassword();
  if ((await countOrganizations(db)) === 0)
    throw conflict('the store has no organization yet: start the server once, then create more');
  // A shared warehouse has no walls between organizations: a developer's SQL on it could read
  // another organization's managed tables, which each organization's own DuckDB file prevents.
  if (deps.sharedStorage)
    throw conflict(
      'with ROSETTA_STORAGE_URL every organization would share one storage warehouse: a deployment with shared storage has one organization',
    );
  const apiKey = generateApiKey();
  let created: { organization: Organization; project: Project };
  try {
    created = await db.transaction().execute(async (trx) => {
      const { organization, project } = await createOrganization(trx, name);
      const admin = await insertUser(trx, organization.id, {
        email: adminEmail,
        name: 'Admin',
        role: 'admin',
        password,
      });
      await registerApiKey(trx, admin.id, apiKey, API_KEY_NAME, new Date());
      return { organization, project };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`an organization named "${name}" already exists`, 'name');
    throw error;
  }
  const connection = await deps.connections.ensureEmbedded(created.organization.id);
  return {
    ...created,
    adminEmail,
    apiKey,
    connection,
    ...(input.adminPassword === undefined && { generatedPassword: password }),
  };
}
