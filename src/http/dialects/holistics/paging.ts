import { validationError } from '../../../core/errors.ts';

/** The query string of a Holistics list (`Limit`, `Before`, `After` parameters; limit defaulted to 20 by the schema). */
export interface CursorQuery {
  limit?: number;
  before?: string;
  after?: string;
}

/** `PaginationCursor`: put `next` in `after` for the next page, `previous` in `before` for the one before. */
export interface Cursors {
  previous: string | null;
  next: string | null;
}

const encode = (id: number) => Buffer.from(`id:${id}`).toString('base64url');

function decode(cursor: string, field: string): number {
  const match = /^id:([0-9]{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw validationError(field, 'is not a cursor this list answered');
  return Number(match[1]);
}

/**
 * One page of a whole list ordered by `keyOf` (the object's integer id, ascending), Holistics'
 * way: `after` starts past a cursor, `before` ends short of one (the page just before it), and
 * each cursor names the edge item of the page, so pages stay put while items come and go.
 */
export function cursorPage<T>(
  items: readonly T[],
  query: CursorQuery,
  keyOf: (item: T) => number,
): { items: T[]; cursors: Cursors } {
  const limit = query.limit ?? 20;
  const sorted = [...items].sort((a, b) => keyOf(a) - keyOf(b));
  let start = 0;
  let end = sorted.length;
  if (query.after !== undefined) {
    const after = decode(query.after, 'after');
    start = sorted.findIndex((item) => keyOf(item) > after);
    if (start === -1) start = sorted.length;
    end = Math.min(sorted.length, start + limit);
  } else if (query.before !== undefined) {
    const before = decode(query.before, 'before');
    end = sorted.findIndex((item) => keyOf(item) >= before);
    if (end === -1) end = sorted.length;
    start = Math.max(0, end - limit);
  } else {
    end = Math.min(sorted.length, limit);
  }
  const page = sorted.slice(start, end);
  return {
    items: page,
    cursors: {
      previous: start > 0 && page.length > 0 ? encode(keyOf(page[0])) : null,
      next: end < sorted.length && page.length > 0 ? encode(keyOf(page[page.length - 1])) : null,
    },
  };
}
