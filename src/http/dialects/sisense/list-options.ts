import { validationError } from '../../../core/errors.ts';

/**
 * Sisense's common options of REST v1 lists (catalogue §1.3), applied to a list of JSON objects
 * the face already holds: `ids` (comma-separated `_id`s), `sort` (a field, descending with a `-`
 * prefix), `skip` and `limit`, and `fields` (a comma-separated whitelist, or fields to drop each
 * prefixed with `-`; `_id` is always kept, as MongoDB projections keep it).
 */
export interface SisenseListQuery {
  ids?: string;
  sort?: string;
  skip?: string;
  limit?: string;
  fields?: string;
}

const MAX_OPTION = 10_000;
const FIELD = /^-?[A-Za-z_][A-Za-z0-9_.]{0,99}$/;

/** One option's text: a query string may repeat it (`sort=a&sort=b`), which names no single value. */
function single(field: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw validationError(field, 'must be given once, as text');
}

function count(field: string, given: unknown): number | undefined {
  const value = single(field, given);
  if (value === undefined || value === '') return undefined;
  if (!/^[0-9]{1,9}$/.test(value)) throw validationError(field, 'must be a non-negative integer');
  return Number(value);
}

function names(field: string, given: unknown): string[] | undefined {
  const value = single(field, given);
  if (value === undefined || value === '') return undefined;
  if (value.length > MAX_OPTION) throw validationError(field, 'is too long');
  const list = value.split(',').map((name) => name.trim());
  if (list.some((name) => !FIELD.test(name)))
    throw validationError(field, 'must be field names separated by commas');
  return list;
}

/** `ids`: oids separated by commas, without spaces. */
function idList(given: unknown): string[] | undefined {
  const value = single('ids', given);
  if (value === undefined || value === '') return undefined;
  const list = value.split(',');
  if (value.length > MAX_OPTION || list.some((id) => !/^[0-9a-f]{24}$/i.test(id)))
    throw validationError('ids', 'must be ids of 24 hexadecimal digits separated by commas');
  return list.map((id) => id.toLowerCase());
}

const valueAt = (item: Record<string, unknown>, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined),
      item,
    );

/** Missing values sort first, then numbers and booleans by value, anything else as text. */
function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return String(a).localeCompare(String(b));
}

function project(item: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const excluded = fields.filter((name) => name.startsWith('-')).map((name) => name.slice(1));
  if (excluded.length > 0 && excluded.length !== fields.length)
    throw validationError(
      'fields',
      'either lists fields to keep or fields to drop (prefixed with -), not both',
    );
  if (excluded.length > 0)
    return Object.fromEntries(Object.entries(item).filter(([key]) => !excluded.includes(key)));
  const kept = new Set(['_id', ...fields.map((name) => name.split('.')[0])]);
  return Object.fromEntries(Object.entries(item).filter(([key]) => kept.has(key)));
}

/** The page of `items` the options ask for, each item cut to the fields asked for. */
export function applyListOptions<T extends Record<string, unknown>>(
  items: readonly T[],
  query: SisenseListQuery,
): Record<string, unknown>[] {
  const ids = idList(query.ids);
  const skip = count('skip', query.skip) ?? 0;
  const limit = count('limit', query.limit);
  const sort = names('sort', query.sort);
  if (sort && sort.length > 1) throw validationError('sort', 'names one field');
  const fields = names('fields', query.fields);
  let list = ids ? items.filter((item) => ids.includes(String(item._id))) : [...items];
  if (sort) {
    const [key] = sort;
    const descending = key.startsWith('-');
    const path = descending ? key.slice(1) : key;
    list = list.sort((a, b) => compare(valueAt(a, path), valueAt(b, path)) * (descending ? -1 : 1));
  }
  list = list.slice(skip, limit === undefined ? undefined : skip + limit);
  return fields ? list.map((item) => project(item, fields)) : list;
}
