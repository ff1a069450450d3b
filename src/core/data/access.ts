import type { Store } from '../../store/database.ts';
import type { Principal } from '../auth/principal.ts';
import { forbidden, validationError } from '../errors.ts';

/**
 * Access lists of data sources and models (Sisense dataset permissions, Holistics dataset
 * access): who may query, preview and read one. Empty = everyone of the organization whose role
 * allows it, as before lists existed. `edit` implies `query`; editing still needs the role's
 * `source.manage` / `model.manage`. Admins always pass, so nobody locks the organization out.
 */
export interface AccessEntry {
  subject: 'user' | 'group';
  id: number;
  level: 'query' | 'edit';
}

export const MAX_ACCESS_ENTRIES = 500;

export function parseAccess(text: string | null): AccessEntry[] {
  return text === null ? [] : (JSON.parse(text) as AccessEntry[]);
}

/**
 * Whether the principal is on the list (at `level` or above). Data-API keys and embeds are judged
 * as the user behind them: their principal carries that user's id and groups, and a data-API key
 * of an admin passes like its owner (`userRole`; its capped `role` limits what it may do, and its
 * scope which sources it reaches, both checked by `authorize`).
 */
export function onAccessList(
  principal: Principal,
  access: readonly AccessEntry[],
  level: AccessEntry['level'] = 'query',
): boolean {
  if (access.length === 0 || (principal.userRole ?? principal.role) === 'admin') return true;
  return access.some(
    (entry) =>
      (level === 'query' || entry.level === 'edit') &&
      (entry.subject === 'user' ? entry.id === principal.userId : principal.groupIds.includes(entry.id)),
  );
}

/** Refuses a change to a source or model whose list gives the principal no `edit`. */
export function requireEditAccess(principal: Principal, access: readonly AccessEntry[], what: string): void {
  if (!onAccessList(principal, access, 'edit')) throw forbidden(`change this ${what} (its access list)`);
}

/** A list as sent: each entry a user or group of the organization, no subject twice. */
export async function checkAccess(
  store: Store,
  organizationId: number,
  input: unknown,
): Promise<AccessEntry[]> {
  if (!Array.isArray(input) || input.length > MAX_ACCESS_ENTRIES)
    throw validationError('access', `must be a list of at most ${MAX_ACCESS_ENTRIES} entries`);
  const seen = new Set<string>();
  const entries = input.map((raw: Partial<AccessEntry> | null, i): AccessEntry => {
    const { subject, id, level } = raw ?? {};
    if (subject !== 'user' && subject !== 'group')
      throw validationError(`access[${i}].subject`, 'must be "user" or "group"');
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 1)
      throw validationError(`access[${i}].id`, 'must be a positive integer');
    if (level !== 'query' && level !== 'edit')
      throw validationError(`access[${i}].level`, 'must be "query" or "edit"');
    const key = `${subject}:${id}`;
    if (seen.has(key)) throw validationError(`access[${i}]`, `${subject} ${id} is listed twice`);
    seen.add(key);
    return { subject, id, level };
  });
  const { db } = store;
  for (const subject of ['user', 'group'] as const) {
    const ids = entries.filter((entry) => entry.subject === subject).map((entry) => entry.id);
    if (ids.length === 0) continue;
    const found = new Set(
      (
        await db
          .selectFrom(subject === 'user' ? 'users' : 'groups')
          .select('id')
          .where('organization_id', '=', organizationId)
          .where('id', 'in', ids)
          .execute()
      ).map((row) => row.id),
    );
    const i = entries.findIndex((entry) => entry.subject === subject && !found.has(entry.id));
    if (i >= 0)
      throw validationError(
        `access[${i}].id`,
        `no ${subject} ${entries[i].id} in the organization`,
        subject === 'user' ? 'directory.unknown_user' : 'directory.unknown_group',
      );
  }
  return entries;
}
