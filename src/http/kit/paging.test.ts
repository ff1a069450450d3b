import { describe, expect, it } from 'vitest';
import { numberedPage, offsetWindow } from './paging.ts';

const letters = ['a', 'b', 'c', 'd', 'e'];

describe('numbered pages', () => {
  it('answers one page and the totals of the whole list', () => {
    expect(numberedPage(letters, 2, 2)).toEqual({
      items: ['c', 'd'],
      page: 2,
      pageSize: 2,
      totalResults: 5,
      totalPages: 3,
    });
    expect(numberedPage(letters, 3, 2).items).toEqual(['e']);
  });

  it('past the last page answers no items but the true totals', () => {
    expect(numberedPage(letters, 9, 2)).toMatchObject({ items: [], totalResults: 5, totalPages: 3 });
    expect(numberedPage([], 1, 10)).toMatchObject({ items: [], totalResults: 0, totalPages: 0 });
  });
});

describe('offset windows', () => {
  it('skips, limits and counts the whole list', () => {
    expect(offsetWindow(letters, 1, 2)).toEqual({ items: ['b', 'c'], skip: 1, total: 5 });
    expect(offsetWindow(letters, 3, undefined)).toEqual({ items: ['d', 'e'], skip: 3, total: 5 });
    expect(offsetWindow(letters, 7, 2)).toEqual({ items: [], skip: 7, total: 5 });
  });
});
