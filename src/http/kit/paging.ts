import { Type } from 'typebox';
import { byId, MAX_PAGE_LIMIT, type PageKey, type PageRequest, pageOf } from '../../core/paging.ts';

/**
 * The query string of a paged native list; spread into a route's querystring schema. The core
 * checks the range of `limit` and the cursor, so their 400s name the field alike everywhere.
 */
export const PageQuery = {
  limit: Type.Optional(
    Type.String({
      pattern: '^[0-9]{1,9}$',
      description: `Page size, 1 to ${MAX_PAGE_LIMIT}; with it (or after) the answer is one page and its next cursor`,
    }),
  ),
  after: Type.Optional(
    Type.String({ minLength: 1, maxLength: 64, description: 'The next cursor of the previous page' }),
  ),
};

/** Added to a list's answer schema: present only when the request asked for a page. */
export const NextField = {
  next: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'null on the last page' })),
};

/** The page a query string asks for, for a core service that pages in storage. */
export const pageRequestOf = (query: { limit?: string; after?: string }): PageRequest => ({
  limit: query.limit === undefined ? undefined : Number(query.limit),
  after: query.after,
});

/** Whether the request asked for a page at all; without, a list answers as before paging existed. */
export const asksForPage = (query: { limit?: string; after?: string }): boolean =>
  query.limit !== undefined || query.after !== undefined;

/**
 * A native list's answer: without `limit` and `after` the whole list, as before paging existed;
 * with either, one page in the order of `key` (ids, oldest first, by default) and the `next` cursor.
 */
export function listReply<T extends { id: number }>(
  items: T[],
  query: { limit?: string; after?: string },
): { items: T[]; next?: string | null };
export function listReply<T>(
  items: T[],
  query: { limit?: string; after?: string },
  key: PageKey<NoInfer<T>>,
): { items: T[]; next?: string | null };
export function listReply<T>(
  items: T[],
  query: { limit?: string; after?: string },
  key?: PageKey<T>,
): { items: T[]; next?: string | null } {
  if (!asksForPage(query)) return { items };
  return pageOf(items, pageRequestOf(query), key ?? (byId as unknown as PageKey<T>));
}

/** One numbered page of a whole list, with the totals vendors answer beside it (Lightdash `page`/`pageSize`). */
export interface NumberedPage<T> {
  items: T[];
  /** From 1. */
  page: number;
  pageSize: number;
  totalResults: number;
  totalPages: number;
}

/** Page `page` (from 1) of `items`; past the last page, no items but the true totals. */
export function numberedPage<T>(items: readonly T[], page: number, pageSize: number): NumberedPage<T> {
  return {
    items: items.slice((page - 1) * pageSize, page * pageSize),
    page,
    pageSize,
    totalResults: items.length,
    totalPages: Math.ceil(items.length / pageSize),
  };
}

/** `limit` items of a whole list from `skip` (Sisense `skip`/`limit`), with the list's total. */
export function offsetWindow<T>(
  items: readonly T[],
  skip: number,
  limit: number | undefined,
): { items: T[]; skip: number; total: number } {
  return {
    items: items.slice(skip, limit === undefined ? undefined : skip + limit),
    skip,
    total: items.length,
  };
}
