import type { Generated, Migration } from 'kysely';
import { type MigrationDb, withIdentity, withTimestamps } from '../../store/schema.ts';

/** Embed links (API keys and sessions live with the directory's tables). The secret is stored hashed; the embed acts for `created_by`, bounded by them. */
export interface EmbedTables {
  embed_tokens: EmbedTokenRow;
}

export interface EmbedTokenRow {
  id: Generated<number>;
  uuid: string;
  organization_id: number;
  dashboard_id: number;
  token_hash: string;
  /** The user who created it: the embed sees at most what they see, while they may edit the dashboard. */
  created_by: number;
  /** JSON object of variable → values, as given at creation. */
  variables: string;
  expires_at: string;
  /** Null = unlimited opens. */
  max_uses: number | null;
  uses: number;
  revoked_at: string | null;
  /** Why it stopped working: revoked by a user, dashboard deleted, creator gone or no longer an editor. */
  revoked_reason: string | null;
  created_at: string;
  updated_at: string;
}

export const authMigrations: Record<string, Migration> = {
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
  /** Embeds become revocable and act for their creator: the frozen principal gives way to its parts. */
  '0610_embed_creator_and_revocation': {
    async up(db: MigrationDb) {
      await db.schema.alterTable('embed_tokens').addColumn('created_by', 'integer').execute();
      await db.schema
        .alterTable('embed_tokens')
        .addColumn('variables', 'text', (c) => c.notNull().defaultTo('{}'))
        .execute();
      await db.schema.alterTable('embed_tokens').addColumn('revoked_at', 'text').execute();
      await db.schema.alterTable('embed_tokens').addColumn('revoked_reason', 'text').execute();
      const rows = await db.selectFrom('embed_tokens').select(['id', 'principal']).execute();
      for (const row of rows) {
        const frozen = JSON.parse(row.principal) as { userId: number; attributes?: object };
        await db
          .updateTable('embed_tokens')
          .set({ created_by: frozen.userId, variables: JSON.stringify(frozen.attributes ?? {}) })
          .where('id', '=', row.id)
          .execute();
      }
      await db.schema.alterTable('embed_tokens').dropColumn('principal').execute();
      await db.schema
        .createIndex('embed_tokens_dashboard')
        .on('embed_tokens')
        .column('dashboard_id')
        .execute();
    },
  },
};
