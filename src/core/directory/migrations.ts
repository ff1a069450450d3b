import type { Migration } from 'kysely';
import { isPostgres, type MigrationDb, withIdentity, withTimestamps } from '../../store/schema.ts';

/** A plain auto-increment key for rows that are not entities (no uuid). */
function serialId(db: MigrationDb) {
  return (table: ReturnType<MigrationDb['schema']['createTable']>) =>
    isPostgres(db)
      ? table.addColumn('id', 'serial', (c) => c.primaryKey())
      : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

const directory: Migration = {
  async up(db: MigrationDb) {
    await withTimestamps(withIdentity(db, db.schema.createTable('organizations')))
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .execute();

    await withTimestamps(
      withIdentity(db, db.schema.createTable('projects'))
        .addColumn('organization_id', 'integer', (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0)),
    ).execute();
    await db.schema.createIndex('projects_organization').on('projects').column('organization_id').execute();

    await withTimestamps(
      withIdentity(db, db.schema.createTable('users'))
        .addColumn('organization_id', 'integer', (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('timezone', 'text', (c) => c.notNull()),
    )
      .addColumn('last_login_at', 'text')
      .addUniqueConstraint('users_organization_email', ['organization_id', 'email'])
      .execute();

    await withTimestamps(
      withIdentity(db, db.schema.createTable('groups'))
        .addColumn('organization_id', 'integer', (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo('')),
    )
      .addUniqueConstraint('groups_organization_name', ['organization_id', 'name'])
      .execute();

    await db.schema
      .createTable('group_members')
      .addColumn('group_id', 'integer', (c) => c.notNull().references('groups.id').onDelete('cascade'))
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
      .execute();
    await db.schema.createIndex('group_members_user').on('group_members').column('user_id').execute();

    await withTimestamps(
      withIdentity(db, db.schema.createTable('attribute_definitions'))
        .addColumn('organization_id', 'integer', (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo('')),
    )
      .addUniqueConstraint('attribute_definitions_organization_key', ['organization_id', 'key'])
      .execute();

    await serialId(db)(db.schema.createTable('attribute_values'))
      .addColumn('definition_id', 'integer', (c) =>
        c.notNull().references('attribute_definitions.id').onDelete('cascade'),
      )
      .addColumn('subject_kind', 'text', (c) => c.notNull())
      .addColumn('subject_id', 'integer', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('attribute_values_subject')
      .on('attribute_values')
      .columns(['subject_kind', 'subject_id'])
      .execute();

    await withIdentity(db, db.schema.createTable('api_keys'))
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('data_source_ids', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text')
      .addColumn('last_used_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex('api_keys_user').on('api_keys').column('user_id').execute();

    await db.schema
      .createTable('sessions')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
  },

  async down(db: MigrationDb) {
    for (const table of [
      'sessions',
      'api_keys',
      'attribute_values',
      'attribute_definitions',
      'group_members',
      'groups',
      'users',
      'projects',
      'organizations',
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
};

export const directoryMigrations: Record<string, Migration> = {
  '0100_directory': directory,
  /** Script runs get keys of their own kind, so the permission table can tell them apart. */
  '0110_api_key_kind': {
    async up(db: MigrationDb) {
      await db.schema
        .alterTable('api_keys')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('standard'))
        .execute();
    },
  },
  /** Invitation and password-reset links (core/auth/password-links.ts). */
  '0120_password_links': {
    async up(db: MigrationDb) {
      await serialId(db)(db.schema.createTable('password_links'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_by', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await db.schema.createIndex('password_links_user').on('password_links').column('user_id').execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropTable('password_links').execute();
    },
  },
  /** Project names are unique within their organization (the projects service's rule). */
  '0130_project_names': {
    async up(db: MigrationDb) {
      await db.schema
        .createIndex('projects_organization_name')
        .unique()
        .on('projects')
        .columns(['organization_id', 'name'])
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropIndex('projects_organization_name').execute();
    },
  },
  /** The value users hold when neither they nor their groups hold one (attribute-values.ts). */
  '0150_attribute_defaults': {
    async up(db: MigrationDb) {
      await db.schema.alterTable('attribute_definitions').addColumn('default_value', 'text').execute();
    },
  },
  /** When a key's secret was last replaced (core/auth/api-keys.ts `rotateApiKey`). */
  '0140_api_key_rotation': {
    async up(db: MigrationDb) {
      await db.schema.alterTable('api_keys').addColumn('rotated_at', 'text').execute();
    },
  },
  /** Per-project roles of users and groups, and users who reach projects only by them (project-access.ts). */
  '0160_project_access': {
    async up(db: MigrationDb) {
      await db.schema
        .createTable('project_grants')
        .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'integer', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('project_grants_pk', ['project_id', 'subject', 'subject_id'])
        .execute();
      await db.schema
        .createIndex('project_grants_subject')
        .on('project_grants')
        .columns(['subject', 'subject_id'])
        .execute();
      await db.schema
        .alterTable('users')
        .addColumn('projects_by_grant', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.alterTable('users').dropColumn('projects_by_grant').execute();
      await db.schema.dropTable('project_grants').execute();
    },
  },
  /** The zone a project's schedules fire in when they name none (projects.ts `setSchedulerTimezone`). */
  '0165_project_scheduler_timezone': {
    async up(db: MigrationDb) {
      await db.schema
        .alterTable('projects')
        .addColumn('scheduler_timezone', 'text', (c) => c.notNull().defaultTo('UTC'))
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.alterTable('projects').dropColumn('scheduler_timezone').execute();
    },
  },
  /** The project content is promoted to (projects.ts `setUpstream`); promotion copies by slug. */
  '0170_project_upstream': {
    async up(db: MigrationDb) {
      await db.schema
        .alterTable('projects')
        .addColumn('upstream_project_id', 'integer', (c) => c.references('projects.id').onDelete('set null'))
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.alterTable('projects').dropColumn('upstream_project_id').execute();
    },
  },
  /** The tables a project's explore list offers (table-selection.ts); null: every table. */
  '0175_project_table_selection': {
    async up(db: MigrationDb) {
      await db.schema.alterTable('projects').addColumn('table_selection', 'text').execute();
    },
    async down(db: MigrationDb) {
      await db.schema.alterTable('projects').dropColumn('table_selection').execute();
    },
  },
  /** An attribute's display label (Holistics' `label`); null: its key (attributes.ts). */
  '0180_attribute_labels': {
    async up(db: MigrationDb) {
      await db.schema.alterTable('attribute_definitions').addColumn('label', 'text').execute();
    },
    async down(db: MigrationDb) {
      await db.schema.alterTable('attribute_definitions').dropColumn('label').execute();
    },
  },
};
