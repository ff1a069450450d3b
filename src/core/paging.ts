import { validationError } from './errors.ts';

/**
 * The paging contract of lists (design review §2.5): `limit` items after an opaque cursor, in
 * ascending id order. Ids only grow, so an item added between two pages lands after every cursor
 * already handed out: pages neither skip nor repeat items.
 */
export interface PageRequest {
  limit?: number;
  /** The `next` of the previous page. */
  after?: string;
}

export interface Page<T> {
  items: T[];
  /** The cursor of the following page; null on the last one. */
  next: string | null;
}

export const MAX_PAGE_LIMIT = 1000;
/** Used when a request gives a cursor but no limit. */
export const DEFAULT_PAGE_LIMIT = 100;

/** The cursor is the base64url of the last item's id: opaque to clients, so its key may change. */
export const encodeCursor = (id: number): string => Buffer.from(String(id)).toString('base64url');

function decodeCursor(after: string): number {
  const text = Buffer.from(after, 'base64url').toString();
  if (!/^[0-9]{1,15}$/.test(text) || encodeCursor(Number(text)) !== after) {
    throw validationError('after', 'not a cursor of this list (use the `next` of the previous page)');
  }
  return Number(text);
}

/**
 * One page of `items`, which must already be only what the caller may see, so a page is short
 * only at the end of the list.
 */
export function pageOf<T extends { id: number }>(items: readonly T[], request: PageRequest): Page<T> {
  const limit = request.limit ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw validationError('limit', `must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
  }
  const after = request.after === undefined ? 0 : decodeCursor(request.after);
  const rest = items.filter((item) => item.id > after).sort((a, b) => a.id - b.id);
  const page = rest.slice(0, limit);
  return { items: page, next: rest.length > limit ? encodeCursor(page[page.length - 1].id) : null };
}
