import { validationError } from './errors.ts';

/**
 * The paging contract of lists (design review §2.5): `limit` items after an opaque cursor, in the
 * order of a key that never changes for an item. Ascending lists page by id: ids only grow, so an
 * item added between two pages lands after every cursor already handed out. Newest-first lists
 * page by a descending key (the id, or a time then an id), so an item added meanwhile lands before
 * the first page. Either way pages neither skip nor repeat items.
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

export type PageOrder = 'ascending' | 'descending';

type KeyPart = string | number;

/**
 * What a list is sorted and cut by: unique per item and fixed for its life. `parts` says the type
 * of each part, so a cursor of another list is refused rather than misread.
 */
export interface PageKey<T> {
  parts: readonly ('integer' | 'text')[];
  of(item: T): readonly KeyPart[];
  order: PageOrder;
}

export const MAX_PAGE_LIMIT = 1000;
/** Used when a request gives a cursor but no limit. */
export const DEFAULT_PAGE_LIMIT = 100;

/** Lists of ids, oldest first: the default key. */
export const byId: PageKey<{ id: number }> = {
  parts: ['integer'],
  of: (item) => [item.id],
  order: 'ascending',
};
/** Logs of ids, newest first (audit, jobs, outbox, runs). */
export const byIdNewestFirst: PageKey<{ id: number }> = { ...byId, order: 'descending' };
/** Version histories, newest first: a version number is never reused. */
export const byVersionNewestFirst: PageKey<{ version: number }> = {
  parts: ['integer'],
  of: (item) => [item.version],
  order: 'descending',
};

/**
 * The cursor is the base64url of the last item's key (a one-part key alone, so an id cursor is the
 * id's digits): opaque to clients, so the key of a list may change.
 */
const encode = (key: readonly KeyPart[]): string =>
  Buffer.from(JSON.stringify(key.length === 1 ? key[0] : key)).toString('base64url');

export const encodeCursor = (id: number): string => encode([id]);

function decodeCursor(after: string, parts: PageKey<never>['parts']): KeyPart[] {
  const refused = validationError('after', 'not a cursor of this list (use the `next` of the previous page)');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(after, 'base64url').toString());
  } catch {
    throw refused;
  }
  const key = parts.length === 1 ? [decoded] : decoded;
  const fits =
    Array.isArray(key) &&
    key.length === parts.length &&
    key.every((part, i) =>
      parts[i] === 'integer' ? Number.isSafeInteger(part) && part >= 0 : typeof part === 'string',
    );
  if (!fits || encode(key) !== after) throw refused;
  return key;
}

function compareKeys(a: readonly KeyPart[], b: readonly KeyPart[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] < b[i]) return -1;
    if (a[i] > b[i]) return 1;
  }
  return 0;
}

/** A request checked for a list paged in storage: the page size and where the page starts. */
export interface PageWindow {
  limit: number;
  /** The key of the previous page's last item; the page holds what sorts past it. */
  after: KeyPart[] | null;
}

export function pageWindow(request: PageRequest, key: Pick<PageKey<never>, 'parts'> = byId): PageWindow {
  const limit = request.limit ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw validationError('limit', `must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
  }
  return { limit, after: request.after === undefined ? null : decodeCursor(request.after, key.parts) };
}

/**
 * The page from what storage read in the key's order past `window.after`, at most one row more
 * than the limit (that row only says there is a next page).
 */
export function pageFromRows<T>(rows: readonly T[], window: PageWindow, key: PageKey<NoInfer<T>>): Page<T> {
  const items = rows.slice(0, window.limit);
  const last = items.at(-1);
  return { items, next: rows.length > window.limit && last !== undefined ? encode(key.of(last)) : null };
}

/**
 * One page of `items`, which must already be only what the caller may see, so a page is short
 * only at the end of the list.
 */
export function pageOf<T extends { id: number }>(items: readonly T[], request: PageRequest): Page<T>;
export function pageOf<T>(items: readonly T[], request: PageRequest, key: PageKey<T>): Page<T>;
export function pageOf<T>(items: readonly T[], request: PageRequest, key?: PageKey<T>): Page<T> {
  const sortKey = key ?? (byId as unknown as PageKey<T>);
  const window = pageWindow(request, sortKey);
  const { after } = window;
  const sign = sortKey.order === 'ascending' ? 1 : -1;
  const rest =
    after === null ? items : items.filter((item) => sign * compareKeys(sortKey.of(item), after) > 0);
  return pageFromRows(sortedBy(rest, sortKey).slice(0, window.limit + 1), window, sortKey);
}

/** `items` in the order of `key`, the order its pages follow. */
export function sortedBy<T>(items: readonly T[], key: PageKey<T>): T[] {
  const sign = key.order === 'ascending' ? 1 : -1;
  return items
    .map((item) => ({ item, key: key.of(item) }))
    .sort((a, b) => sign * compareKeys(a.key, b.key))
    .map((entry) => entry.item);
}
