import { describe, expect, it } from 'vitest';
import type { QueryResult } from '../../engines/types.ts';
import { createQueryCache, estimateBytes, type QueryCacheKey } from './cache.ts';

const key = (sql: string, connectionId = 1, params: string[] = [], modelVersion = 1): QueryCacheKey => ({
  dialect: 'duckdb',
  connectionId,
  modelVersion,
  query: { sql, params },
});
const result = (rows: number, truncated = false): QueryResult => ({
  columns: [{ name: 'n', type: 'integer' }],
  rows: Array.from({ length: rows }, (_, i) => [i]),
  truncated,
});

describe('query cache', () => {
  it('hits on the same SQL, params, connection and model version only', () => {
    const cache = createQueryCache();
    cache.set(key('q', 1, ['a']), result(1));
    expect(cache.get(key('q', 1, ['a']))).toEqual(result(1));
    expect(cache.get(key('q', 1, ['b']))).toBeUndefined();
    expect(cache.get(key('q', 2, ['a']))).toBeUndefined();
    expect(cache.get(key('q', 1, ['a'], 2))).toBeUndefined();
    expect(cache.stats()).toMatchObject({ entries: 1, hits: 1, misses: 3 });
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = createQueryCache({ maxEntries: 2 });
    cache.set(key('a'), result(1));
    cache.set(key('b'), result(1));
    cache.get(key('a'));
    cache.set(key('c'), result(1));
    expect(cache.get(key('b'))).toBeUndefined();
    expect(cache.get(key('a'))).toBeDefined();
    expect(cache.get(key('c'))).toBeDefined();
  });

  it('bounds the total size and skips results too large', () => {
    const entry = estimateBytes(result(100));
    const cache = createQueryCache({ maxBytes: entry * 2 + 1, maxEntryBytes: entry });
    cache.set(key('big'), result(101));
    expect(cache.stats().entries).toBe(0);
    // The SQL fixes its cut, so a truncated result is what the same SQL gives again.
    cache.set(key('cut'), result(1, true));
    expect(cache.get(key('cut'))).toEqual(result(1, true));
    cache.clear();
    for (const sql of ['a', 'b', 'c']) cache.set(key(sql), result(100));
    expect(cache.stats().entries).toBe(2);
    expect(cache.stats().bytes).toBeLessThanOrEqual(entry * 2 + 1);
    expect(cache.get(key('a'))).toBeUndefined();
  });

  it('expires entries after the TTL', () => {
    let now = 0;
    const cache = createQueryCache({ ttlMs: 1000, now: () => now });
    cache.set(key('a'), result(1));
    now = 999;
    expect(cache.get(key('a'))).toBeDefined();
    now = 2000;
    expect(cache.get(key('a'))).toBeUndefined();
    expect(cache.stats().entries).toBe(0);
  });

  it('invalidates one connection, or everything', () => {
    const cache = createQueryCache();
    cache.set(key('a', 1), result(1));
    cache.set(key('b', 1), result(1));
    cache.set(key('c', 2), result(1));
    expect(cache.invalidate({ connectionId: 1 })).toBe(2);
    expect(cache.get(key('c', 2))).toBeDefined();
    cache.clear();
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });
});
