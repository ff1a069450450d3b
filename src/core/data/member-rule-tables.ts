import type { Generated, Migration } from 'kysely';
import { type MigrationDb, withIdentity, withTimestamps } from '../../store/schema.ts';

/**
 * Member rules (member-rules.ts): which values of one field of a model or data source a user,
 * a group or everyone else may see. `target_kind` + `target_id` name the model or the source
 * (no FK: either table); a rule goes with its target (member-rules.ts listens for deletions).
 */
export interface MemberRuleTables {
  member_rules: MemberRuleRow;
}

export interface MemberRuleRow {
  id: Generated<number>;
  uuid: string;
  organization_id: number;
  /** 'model' | 'source' */
  target_kind: string;
  target_id: number;
  /** The field as the target's queries address it (`table.field`). */
  field: string;
  /** JSON JsonScalar[] */
  members: string;
  /** 1: the members are the values hidden, not the values shown. */
  exclude: number;
  /** 1: every value (no restriction on the field). */
  all_members: number;
  /** JSON RuleParty[] */
  parties: string;
  created_at: string;
  updated_at: string;
}

export const memberRuleMigrations: Record<string, Migration> = {
  '0260_data_member_rules': {
    async up(db: MigrationDb) {
      await withTimestamps(
        withIdentity(db, db.schema.createTable('member_rules'))
          .addColumn('organization_id', 'integer', (c) => c.notNull())
          .addColumn('target_kind', 'text', (c) => c.notNull())
          .addColumn('target_id', 'integer', (c) => c.notNull())
          .addColumn('field', 'text', (c) => c.notNull())
          .addColumn('members', 'text', (c) => c.notNull())
          .addColumn('exclude', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('all_members', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('parties', 'text', (c) => c.notNull()),
      ).execute();
      await db.schema
        .createIndex('member_rules_target')
        .on('member_rules')
        .columns(['organization_id', 'target_kind', 'target_id'])
        .execute();
    },
    async down(db: MigrationDb) {
      await db.schema.dropTable('member_rules').execute();
    },
  },
};
