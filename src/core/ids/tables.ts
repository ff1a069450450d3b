import type { Migration } from 'kysely';
import type { MigrationDb } from '../../store/schema.ts';

/** Ids that vendors' faces show and Rosetta cannot derive from an entity (Sisense 24-hex oids). */
export interface ExternalIdTables {
  external_ids: ExternalIdRow;
}

export interface ExternalIdRow {
  organization_id: number;
  /** The entity kind (`IdKind`): which table `internal_id` is the id of. */
  kind: string;
  /** How the external id is written (`StoredIdStyle`). */
  style: string;
  internal_id: number;
  external_id: string;
  created_at: string;
  /** Set when the entity was purged: the row stays so its external id is never handed out again. */
  forgotten_at: string | null;
}

export const externalIdMigrations: Record<string, Migration> = {
  '0800_external_ids': {
    async up(db: MigrationDb) {
      await db.schema
        .createTable('external_ids')
        .addColumn('organization_id', 'integer', (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('style', 'text', (c) => c.notNull())
        .addColumn('internal_id', 'integer', (c) => c.notNull())
        .addColumn('external_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('forgotten_at', 'text')
        // One external id per object and style, and one object per external id: both lookups
        // use these, and concurrent first uses of an object collide on the first.
        .addUniqueConstraint('external_ids_internal', ['organization_id', 'kind', 'style', 'internal_id'])
        .addUniqueConstraint('external_ids_external', ['organization_id', 'kind', 'style', 'external_id'])
        .execute();
    },
  },
};
