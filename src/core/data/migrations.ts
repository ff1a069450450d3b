import type { Migration } from 'kysely';
import { addProjectColumn, type MigrationDb, withIdentity, withTimestamps } from '../../store/schema.ts';

export const dataMigrations: Record<string, Migration> = {
  '0200_data_connections_sources_models': {
    async up(db: MigrationDb) {
      await withTimestamps(
        withIdentity(db, db.schema.createTable('connections'))
          .addColumn('organization_id', 'integer', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('host', 'text')
          .addColumn('port', 'integer')
          .addColumn('database_name', 'text')
          .addColumn('user_name', 'text')
          .addColumn('password_secret', 'text')
          .addColumn('ssl', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('file', 'text')
          .addColumn('builtin', 'integer', (c) => c.notNull().defaultTo(0)),
      ).execute();
      await db.schema
        .createIndex('connections_organization')
        .on('connections')
        .column('organization_id')
        .execute();

      await withTimestamps(
        withIdentity(db, db.schema.createTable('data_sources'))
          .addColumn('organization_id', 'integer', (c) => c.notNull())
          .addColumn('connection_id', 'integer', (c) => c.notNull().references('connections.id'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('schema_name', 'text')
          .addColumn('table_name', 'text')
          .addColumn('sql_text', 'text')
          .addColumn('columns', 'text', (c) => c.notNull())
          .addColumn('primary_key', 'text', (c) => c.notNull())
          .addColumn('policies', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1)),
      ).execute();
      await db.schema
        .createIndex('data_sources_organization')
        .on('data_sources')
        .column('organization_id')
        .execute();

      await withTimestamps(
        withIdentity(db, db.schema.createTable('models'))
          .addColumn('organization_id', 'integer', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('connection_id', 'integer', (c) => c.notNull().references('connections.id'))
          .addColumn('definition', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1)),
      ).execute();
      await db.schema
        .createIndex('models_organization_name')
        .unique()
        .on('models')
        .columns(['organization_id', 'name'])
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropTable('models').execute();
      await db.schema.dropTable('data_sources').execute();
      await db.schema.dropTable('connections').execute();
    },
  },
  '0210_data_source_formulas': {
    async up(db: MigrationDb) {
      await db.schema.alterTable('data_sources').addColumn('formulas', 'text').execute();
    },
    async down(db: MigrationDb) {
      await db.schema.alterTable('data_sources').dropColumn('formulas').execute();
    },
  },
  '0220_data_trash': {
    async up(db: MigrationDb) {
      for (const table of ['connections', 'data_sources']) {
        await db.schema.alterTable(table).addColumn('deleted_at', 'text').execute();
        await db.schema.alterTable(table).addColumn('deleted_by', 'integer').execute();
      }
    },
    async down(db: MigrationDb) {
      for (const table of ['connections', 'data_sources']) {
        await db.schema.alterTable(table).dropColumn('deleted_at').execute();
        await db.schema.alterTable(table).dropColumn('deleted_by').execute();
      }
    },
  },
  /** JSON AccessEntry[] (access.ts); NULL = no list, everyone of the organization as before. */
  '0230_data_access_lists': {
    async up(db: MigrationDb) {
      for (const table of ['data_sources', 'models'])
        await db.schema.alterTable(table).addColumn('access', 'text').execute();
    },
    async down(db: MigrationDb) {
      for (const table of ['data_sources', 'models'])
        await db.schema.alterTable(table).dropColumn('access').execute();
    },
  },
  /** Models belong to a project (the organization's default one until moved). */
  '0240_model_projects': {
    async up(db: MigrationDb) {
      await addProjectColumn(db, 'models');
    },
  },
  /** Each project holds its own explores: two projects may hold a model of the same name. */
  '0250_model_names_per_project': {
    async up(db: MigrationDb) {
      await db.schema.dropIndex('models_organization_name').execute();
      await db.schema
        .createIndex('models_project_name')
        .unique()
        .on('models')
        .columns(['organization_id', 'project_id', 'name'])
        .execute();
    },
  },
};
