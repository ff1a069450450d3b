import { validationError } from '../../../core/errors.ts';

/** A request's query string, as Fastify parses it (a repeated key arrives as an array). */
export type QueryParams = Record<string, string | string[] | undefined>;

/** One query parameter as text; a repeated one is a 400 naming it. */
export function queryText(query: QueryParams, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw validationError(name, 'must be given once');
  return value === '' ? undefined : value;
}

/** A boolean parameter: `true` or `false`. */
export function queryFlag(query: QueryParams, name: string): boolean | undefined {
  const value = queryText(query, name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw validationError(name, 'must be true or false');
  return value === 'true';
}

/** A positive integer parameter (pixels, rows), at most `max`. */
export function queryCount(query: QueryParams, name: string, max: number): number | undefined {
  const value = queryText(query, name);
  if (value === undefined) return undefined;
  if (!/^[0-9]{1,9}$/.test(value) || Number(value) < 1 || Number(value) > max)
    throw validationError(name, `must be a whole number from 1 to ${max}`);
  return Number(value);
}

/** Ids given as `a,b,c` or as a repeated parameter (`?ids=a&ids=b`). */
export function queryIds(query: QueryParams, name: string): string[] | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  const ids = (Array.isArray(value) ? value : [value]).flatMap((part) => part.split(','));
  if (ids.length > 1000 || ids.some((id) => !/^[0-9a-f]{24}$/i.test(id)))
    throw validationError(name, 'must be ids of 24 hexadecimal digits separated by commas');
  return ids;
}

/** `expand`: the fields to expand among `allowed`. */
export function queryExpand(query: QueryParams, allowed: readonly string[]): Set<string> {
  const value = queryText(query, 'expand');
  const asked = value === undefined ? [] : value.split(',').map((name) => name.trim());
  const unknown = asked.find((name) => !allowed.includes(name));
  if (unknown !== undefined)
    throw validationError('expand', `cannot expand ${JSON.stringify(unknown)}: only ${allowed.join(', ')}`);
  return new Set(asked);
}
