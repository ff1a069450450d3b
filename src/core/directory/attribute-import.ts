import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { validationError } from '../errors.ts';
import type { DirectoryService } from './service.ts';
import type { AttributeInput } from './types.ts';

/**
 * Attributes from sources without a schema (Serenytics `login_metadata`, a metadata table):
 * a key seen for the first time is defined as a `string` attribute, then the user's values are
 * replaced. Built on the directory's public calls, so its permission rules apply unchanged.
 */
export async function setFreeFormAttributes(
  directory: DirectoryService,
  principal: Principal,
  userId: number,
  input: AttributeInput,
): Promise<void> {
  const known = new Set((await directory.listAttributeDefinitions(principal)).map((d) => d.key));
  for (const key of Object.keys(input).filter((k) => !known.has(k)))
    await directory.defineAttribute(principal, { key, type: 'string' });
  await directory.setUserAttributes(principal, userId, input);
}

/** A source's rows as a plain read gives them: `truncated` when there were more than it returned. */
export type SourceReader = (
  principal: Principal,
  sourceRef: string,
) => Promise<{ columns: string[]; rows: readonly (readonly unknown[])[]; truncated: boolean }>;

/**
 * The source read whole: a read cut at the query row cap is refused rather than imported in part,
 * which would leave the users past the cap with stale attributes and no sign of it.
 */
export async function readWhole(read: SourceReader, principal: Principal, sourceRef: string) {
  const table = await read(principal, sourceRef);
  if (table.truncated)
    throw validationError(
      'source',
      `has more than ${table.rows.length} rows, the query row cap (ROSETTA_MAX_QUERY_ROWS); ` +
        'import from a source with one row per user within the cap',
    );
  return table;
}

/**
 * A table with a `login` column (a user's email) and one row per user: the other columns become
 * each listed user's attributes (NULL cells are left out). Admins only.
 */
export async function importUserAttributes(
  directory: DirectoryService,
  principal: Principal,
  table: { columns: string[]; rows: readonly (readonly unknown[])[] },
): Promise<{ users: number }> {
  authorize(principal, 'directory.manage');
  const login = table.columns.indexOf('login');
  if (login < 0) throw validationError('login', 'the source needs a "login" column');
  let users = 0;
  for (const [r, row] of table.rows.entries()) {
    if (typeof row[login] !== 'string') throw validationError(`rows[${r + 1}].login`, 'must be a user login');
    const user = await directory.getUserByEmail(principal, row[login] as string);
    const input: AttributeInput = {};
    table.columns.forEach((name, i) => {
      const value = row[i];
      if (i !== login && value !== null && value !== undefined) input[name] = String(value);
    });
    await setFreeFormAttributes(directory, principal, user.id, input);
    users++;
  }
  return { users };
}
