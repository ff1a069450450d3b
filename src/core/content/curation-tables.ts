import type { Generated, Migration } from 'kysely';
import { isPostgres, type MigrationDb, withIdentity } from '../../store/schema.ts';

/**
 * How a project's content is organised and kept healthy: its pinned items (one ordered list per
 * project), its tags (labels with a colour), and the findings of its latest content checks.
 */
export interface CurationTables {
  content_pins: ContentPinRow;
  content_tags: ContentTagRow;
  content_findings: ContentFindingRow;
}

export type PinnedKind = 'chart' | 'dashboard' | 'folder';

export interface ContentPinRow {
  organization_id: number;
  project_id: number;
  item_kind: PinnedKind;
  item_id: number;
  position: number;
  created_at: string;
}

export interface ContentTagRow {
  id: Generated<number>;
  uuid: string;
  organization_id: number;
  project_id: number;
  name: string;
  color: string;
  created_by: number;
  created_at: string;
}

export interface ContentFindingRow {
  id: Generated<number>;
  organization_id: number;
  project_id: number;
  /** The check that found it (a job's uuid): one check's findings are read together. */
  check_uuid: string;
  item_kind: 'chart' | 'dashboard';
  item_id: number;
  item_uuid: string;
  item_name: string;
  folder_uuid: string | null;
  problem_kind: string;
  field_name: string | null;
  message: string;
  created_at: string;
}

export const curationMigrations: Record<string, Migration> = {
  '0360_content_pins_tags_findings': {
    async up(db: MigrationDb) {
      await db.schema
        .createTable('content_pins')
        .addColumn('organization_id', 'integer', (c) => c.notNull())
        .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('item_kind', 'text', (c) => c.notNull())
        .addColumn('item_id', 'integer', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('content_pins_pk', ['project_id', 'item_kind', 'item_id'])
        .execute();
      await withIdentity(db, db.schema.createTable('content_tags'))
        .addColumn('organization_id', 'integer', (c) => c.notNull())
        .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('color', 'text', (c) => c.notNull())
        .addColumn('created_by', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('content_tags_name', ['project_id', 'name'])
        .execute();
      const findings = db.schema.createTable('content_findings');
      await (isPostgres(db)
        ? findings.addColumn('id', 'serial', (c) => c.primaryKey())
        : findings.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      )
        .addColumn('organization_id', 'integer', (c) => c.notNull())
        .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('check_uuid', 'text', (c) => c.notNull())
        .addColumn('item_kind', 'text', (c) => c.notNull())
        .addColumn('item_id', 'integer', (c) => c.notNull())
        .addColumn('item_uuid', 'text', (c) => c.notNull())
        .addColumn('item_name', 'text', (c) => c.notNull())
        .addColumn('folder_uuid', 'text')
        .addColumn('problem_kind', 'text', (c) => c.notNull())
        .addColumn('field_name', 'text')
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('content_findings_check')
        .on('content_findings')
        .columns(['project_id', 'check_uuid'])
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropTable('content_findings').execute();
      await db.schema.dropTable('content_tags').execute();
      await db.schema.dropTable('content_pins').execute();
    },
  },
};
