import type { Migration } from 'kysely';
import type { MigrationDb } from '../../store/schema.ts';

/**
 * Tables of a user's own account (email verification, setup answers) and of the organization's
 * self-join settings (allowed email domains). Conventions of the store: ISO-8601 text
 * timestamps, 0/1 booleans, JSON as text.
 */

/** The live one-time passcode of a user (one at most: a new one replaces it). */
export interface EmailPasscodesTable {
  user_id: number;
  /** The address it was sent to: a passcode verifies only that address. */
  email: string;
  /** HMAC-SHA256 (hex) of the passcode under a key derived from the server secret. */
  passcode_hash: string;
  /** Wrong passcodes entered so far; at the limit the passcode verifies nothing. */
  attempts: number;
  created_at: string;
  expires_at: string;
}

/** The address a user proved they read, and when. */
export interface EmailVerificationsTable {
  user_id: number;
  email: string;
  verified_at: string;
}

/** What a user answered when finishing their setup; a user without a row never did. */
export interface UserSettingsTable {
  user_id: number;
  job_title: string | null;
  setup_completed_at: string | null;
  tracking_anonymized: number;
  marketing_opted_in: number;
  updated_at: string;
}

/** Who may join the organization by the domain of their verified email, and with which roles. */
export interface OrganizationEmailDomainsTable {
  organization_id: number;
  /** JSON array of lower-cased domains. */
  domains: string;
  /** The organization role of who joins (`member`, `viewer`, `interactive_viewer`, `editor`). */
  role: string;
  /** JSON array of `{projectId, role}`: the project roles a joining `member` gets. */
  projects: string;
  updated_at: string;
}

export interface AccountTables {
  email_passcodes: EmailPasscodesTable;
  email_verifications: EmailVerificationsTable;
  user_settings: UserSettingsTable;
  organization_email_domains: OrganizationEmailDomainsTable;
}

const userKey = (db: MigrationDb, table: string) =>
  db.schema
    .createTable(table)
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'));

export const accountMigrations: Record<string, Migration> = {
  '0180_account_email_and_setup': {
    async up(db: MigrationDb) {
      await userKey(db, 'email_passcodes')
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('passcode_hash', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await userKey(db, 'email_verifications')
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('verified_at', 'text', (c) => c.notNull())
        .execute();
      await userKey(db, 'user_settings')
        .addColumn('job_title', 'text')
        .addColumn('setup_completed_at', 'text')
        .addColumn('tracking_anonymized', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('marketing_opted_in', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('organization_email_domains')
        .addColumn('organization_id', 'integer', (c) =>
          c.primaryKey().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('domains', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('projects', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: MigrationDb) {
      for (const table of [
        'organization_email_domains',
        'user_settings',
        'email_verifications',
        'email_passcodes',
      ])
        await db.schema.dropTable(table).execute();
    },
  },
};
