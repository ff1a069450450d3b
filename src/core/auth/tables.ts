import type { Generated, Migration } from 'kysely';
import { type MigrationDb, withIdentity, withTimestamps } from '../../store/schema.ts';

/** Embed tokens: the secret is stored hashed; `principal` is the restricted principal as JSON. */
export interface EmbedTables {
  embed_tokens: EmbedTokenRow;
}

export interface EmbedTokenRow {
  id: Generated<number>;
  uuid: string;
  organization_id: number;
  dashboard_id: number;
  token_hash: string;
  principal: string;
  expires_at: string;
  /** Null = unlimited opens. */
  max_uses: number | null;
  uses: number;
  created_at: string;
  updated_at: string;
}

export const embedMigrations: Record<string, Migration> = {
  '0600_embed_tokens': {
    async up(db: MigrationDb) {
      await withTimestamps(withIdentity(db, db.schema.createTable('embed_tokens')))
        .addColumn('organization_id', 'integer', (c) => c.notNull())
        .addColumn('dashboard_id', 'integer', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('max_uses', 'integer')
        .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropTable('embed_tokens').execute();
    },
  },
};
