import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { JsonScalar } from '../../engines/types.ts';
import type { Store } from '../../store/database.ts';
import { nowIso } from '../../store/schema.ts';
import { recordAudit } from '../audit/index.ts';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { notFound, validationError } from '../errors.ts';
import type { IdKind } from '../ids/index.ts';
import type { MemberRule, RuleParty } from '../query/member-rules.ts';
import type { MemberRuleRow } from './member-rule-tables.ts';
import type { ModelService } from './models.ts';
import { SOURCE_TABLE } from './models.ts';
import type { DataSourceService } from './sources.ts';

/**
 * Member rules of models and data sources (the semantics are query/member-rules.ts'): who sees
 * which values of a field. Managing them is managing the target (`model.manage` /
 * `source.manage`), as its row policies are; the query core loads them on every resolution, so a
 * change holds from the next query on, without a new login.
 */
export type RuleTarget = { kind: 'model' | 'source'; id: number };

export interface MemberRuleInput {
  field: unknown;
  members?: unknown;
  exclude?: unknown;
  allMembers?: unknown;
  parties: unknown;
}

export interface StoredMemberRule extends MemberRule {
  uuid: string;
  target: RuleTarget;
  createdAt: string;
  updatedAt: string;
}

export interface MemberRuleService {
  list(principal: Principal, target: RuleTarget): Promise<StoredMemberRule[]>;
  /** Adds rules to the target's, all or none (each checked against the others and the stored ones). */
  create(principal: Principal, target: RuleTarget, inputs: MemberRuleInput[]): Promise<StoredMemberRule[]>;
  delete(principal: Principal, id: number): Promise<void>;
  /**
   * A purged object leaves no rule behind: its model's or source's rules go, a user or group
   * leaves the rules naming it, and a rule left naming nobody goes.
   */
  forget(event: { organizationId: number; kind: IdKind; id: number }): Promise<void>;
}

export const MAX_RULE_MEMBERS = 10_000;

function toStored(row: Selectable<MemberRuleRow>): StoredMemberRule {
  return {
    id: row.id,
    uuid: row.uuid,
    target: { kind: row.target_kind as RuleTarget['kind'], id: row.target_id },
    field: row.field,
    members: JSON.parse(row.members) as JsonScalar[],
    exclude: row.exclude === 1,
    allMembers: row.all_members === 1,
    parties: JSON.parse(row.parties) as RuleParty[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The rules of a target, as the query core applies them (models.ts loads them into the Model). */
export async function loadMemberRules(
  store: Store,
  organizationId: number,
  target: RuleTarget,
): Promise<MemberRule[]> {
  const rows = await store.db
    .selectFrom('member_rules')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('target_kind', '=', target.kind)
    .where('target_id', '=', target.id)
    .orderBy('id')
    .execute();
  return rows.map(toStored);
}

const partyKey = (party: RuleParty): string =>
  party.kind === 'everyone' ? 'everyone' : `${party.kind}:${party.id}`;

function checkParties(input: unknown, path: string): RuleParty[] {
  if (!Array.isArray(input) || input.length === 0)
    throw validationError(path, 'must list at least one user, group or everyone');
  const parties = input.map((raw, i): RuleParty => {
    const { kind, id } = (raw ?? {}) as { kind?: unknown; id?: unknown };
    if (kind === 'everyone') return { kind };
    if (kind !== 'user' && kind !== 'group')
      throw validationError(`${path}[${i}].kind`, 'must be "user", "group" or "everyone"');
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1)
      throw validationError(`${path}[${i}].id`, 'must be a positive integer');
    return { kind, id };
  });
  if (parties.some((party) => party.kind === 'everyone') && parties.length > 1)
    throw validationError(
      path,
      'the rule for everyone else names no user or group',
      'data.rule_default_invalid',
    );
  return parties;
}

function checkMembers(input: unknown, path: string): JsonScalar[] {
  if (input === undefined) return [];
  if (!Array.isArray(input) || input.length > MAX_RULE_MEMBERS)
    throw validationError(path, `must be a list of at most ${MAX_RULE_MEMBERS} values`);
  input.forEach((member, i) => {
    if (member !== null && !['string', 'number', 'boolean'].includes(typeof member))
      throw validationError(`${path}[${i}]`, 'must be a string, a number, a boolean or null');
  });
  return input as JsonScalar[];
}

function checkFlag(input: unknown, path: string): boolean {
  if (input === undefined) return false;
  if (typeof input !== 'boolean') throw validationError(path, 'must be true or false');
  return input;
}

export function createMemberRuleService(deps: {
  store: Store;
  models: ModelService;
  sources: DataSourceService;
}): MemberRuleService {
  const { db } = deps.store;

  /** The target's addressable fields, once the principal may manage it (else 403 / 404). */
  async function managedFields(principal: Principal, target: RuleTarget): Promise<Set<string>> {
    if (target.kind === 'model') {
      const model = await deps.models.get(principal, target.id);
      authorize(principal, 'model.manage', { projectId: model.projectId });
      return new Set(model.dimensions.map((d) => `${d.table}.${d.name}`));
    }
    const source = await deps.sources.get(principal, target.id);
    authorize(principal, 'source.manage');
    return new Set(source.columns.map((column) => `${SOURCE_TABLE}.${column.name}`));
  }

  async function checkPartiesExist(organizationId: number, rules: MemberRule[]): Promise<void> {
    for (const kind of ['user', 'group'] as const) {
      const wanted = rules.flatMap((rule, i) =>
        rule.parties.flatMap((party, j) =>
          party.kind === kind ? [{ id: party.id, path: `[${i}].parties[${j}]` }] : [],
        ),
      );
      if (wanted.length === 0) continue;
      const found = new Set(
        (
          await db
            .selectFrom(kind === 'user' ? 'users' : 'groups')
            .select('id')
            .where('organization_id', '=', organizationId)
            .where(
              'id',
              'in',
              wanted.map((entry) => entry.id),
            )
            .execute()
        ).map((row) => row.id),
      );
      const missing = wanted.find((entry) => !found.has(entry.id));
      if (missing)
        throw validationError(
          `rules${missing.path}.id`,
          `no ${kind} ${missing.id}`,
          'data.rule_party_unknown',
        );
    }
  }

  /** A party named by two rules of one field, or a second rule for everyone: refused. */
  function checkRepeats(existing: readonly MemberRule[], added: readonly MemberRule[]): void {
    const seen = new Set(
      existing.flatMap((rule) => rule.parties.map((party) => `${rule.field}|${partyKey(party)}`)),
    );
    added.forEach((rule, i) => {
      for (const party of rule.parties) {
        const key = `${rule.field}|${partyKey(party)}`;
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        if (party.kind === 'everyone')
          throw validationError(
            `rules[${i}].parties`,
            `${rule.field} already has a rule for everyone else`,
            'data.rule_default_invalid',
          );
        throw validationError(
          `rules[${i}].parties`,
          `${party.kind} ${party.id} already has a rule on ${rule.field}`,
          'data.rule_party_repeated',
        );
      }
    });
  }

  return {
    async list(principal, target) {
      await managedFields(principal, target);
      const rules = await loadMemberRules(deps.store, principal.organizationId, target);
      return rules as StoredMemberRule[];
    },
    async create(principal, target, inputs) {
      const fields = await managedFields(principal, target);
      if (!Array.isArray(inputs) || inputs.length === 0)
        throw validationError('rules', 'must list at least one rule');
      const rules = inputs.map((input, i): MemberRule => {
        const path = `rules[${i}]`;
        if (typeof input?.field !== 'string' || !fields.has(input.field))
          throw validationError(`${path}.field`, `must be a field of the ${target.kind}`);
        return {
          id: 0,
          field: input.field,
          members: checkMembers(input.members, `${path}.members`),
          exclude: checkFlag(input.exclude, `${path}.exclude`),
          allMembers: checkFlag(input.allMembers, `${path}.allMembers`),
          parties: checkParties(input.parties, `${path}.parties`),
        };
      });
      await checkPartiesExist(principal.organizationId, rules);
      checkRepeats(await loadMemberRules(deps.store, principal.organizationId, target), rules);
      const now = nowIso();
      const saved = await db.transaction().execute((tx) =>
        Promise.all(
          rules.map((rule) =>
            tx
              .insertInto('member_rules')
              .values({
                uuid: randomUUID(),
                organization_id: principal.organizationId,
                target_kind: target.kind,
                target_id: target.id,
                field: rule.field,
                members: JSON.stringify(rule.members),
                exclude: rule.exclude ? 1 : 0,
                all_members: rule.allMembers ? 1 : 0,
                parties: JSON.stringify(rule.parties),
                created_at: now,
                updated_at: now,
              })
              .returningAll()
              .executeTakeFirstOrThrow(),
          ),
        ),
      );
      await recordAudit(db, principal, {
        action: 'data.member_rules',
        target: { type: target.kind, id: target.id },
        details: { added: rules },
      });
      return saved.map(toStored);
    },
    async forget({ organizationId, kind, id }) {
      const rules = db.selectFrom('member_rules').where('organization_id', '=', organizationId);
      if (kind === 'model' || kind === 'data_source') {
        const targetKind = kind === 'model' ? 'model' : 'source';
        await db
          .deleteFrom('member_rules')
          .where('organization_id', '=', organizationId)
          .where('target_kind', '=', targetKind)
          .where('target_id', '=', id)
          .execute();
        return;
      }
      if (kind !== 'user' && kind !== 'group') return;
      for (const row of await rules.selectAll().execute()) {
        const parties = (JSON.parse(row.parties) as RuleParty[]).filter(
          (p) => p.kind !== kind || p.id !== id,
        );
        if (parties.length === JSON.parse(row.parties).length) continue;
        if (parties.length === 0) await db.deleteFrom('member_rules').where('id', '=', row.id).execute();
        else
          await db
            .updateTable('member_rules')
            .set({ parties: JSON.stringify(parties), updated_at: nowIso() })
            .where('id', '=', row.id)
            .execute();
      }
    },
    async delete(principal, id) {
      const row = await db
        .selectFrom('member_rules')
        .selectAll()
        .where('organization_id', '=', principal.organizationId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw notFound('data security rule', id);
      const rule = toStored(row);
      await managedFields(principal, rule.target);
      await db.deleteFrom('member_rules').where('id', '=', id).execute();
      await recordAudit(db, principal, {
        action: 'data.member_rules',
        target: { type: rule.target.kind, id: rule.target.id },
        details: { removed: rule },
      });
    },
  };
}
