import type { Generated, Migration } from 'kysely';
import { isPostgres, type MigrationDb } from '../../store/schema.ts';

/** The audit log: one row per security-relevant event, never updated. */
export interface AuditTables {
  audit_events: AuditEventRow;
}

export interface AuditEventRow {
  id: Generated<number>;
  /** Null for events before anyone is known (a failed sign-in with an unknown email). */
  organization_id: number | null;
  at: string;
  /** `auth.login`, `apikey.create`, `user.role`, … (see events.ts). */
  action: string;
  actor_id: number | null;
  actor_email: string | null;
  /** The credential kind the actor used (`session`, `apiKey`, …). */
  credential: string | null;
  address: string | null;
  target_type: string | null;
  target_id: string | null;
  /** JSON object: what changed (never a secret). */
  details: string;
}

export const auditMigrations: Record<string, Migration> = {
  '0900_audit_events': {
    async up(db: MigrationDb) {
      const table = db.schema.createTable('audit_events');
      await (isPostgres(db)
        ? table.addColumn('id', 'serial', (c) => c.primaryKey())
        : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      )
        .addColumn('organization_id', 'integer')
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'integer')
        .addColumn('actor_email', 'text')
        .addColumn('credential', 'text')
        .addColumn('address', 'text')
        .addColumn('target_type', 'text')
        .addColumn('target_id', 'text')
        .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
        .execute();
      await db.schema
        .createIndex('audit_events_organization_at')
        .on('audit_events')
        .columns(['organization_id', 'at'])
        .execute();
    },
  },
};
