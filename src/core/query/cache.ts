import type { CompiledQuery, EngineDialect, QueryResult } from '../../engines/types.ts';

/**
 * The result cache: an LRU bounded by entry count and by approximate total size. A key is the
 * exact SQL and parameters for one connection and model version, so row policies (bound as
 * parameters) and data changes (new version) never serve one caller's rows to another or stale
 * rows after a load. The SQL fixes its own cut (LIMIT row cap + 1), so a truncated result is
 * cached like any other; results too large for the budget are not.
 * Entries also expire after `ttlMs`, for warehouses that change behind Rosetta's back.
 */
export interface QueryCacheKey {
  dialect: EngineDialect;
  connectionId: number;
  modelVersion: number;
  query: CompiledQuery;
}

export interface QueryCache {
  get(key: QueryCacheKey): QueryResult | undefined;
  set(key: QueryCacheKey, result: QueryResult): void;
  /** Drops the entries of one connection, or all; returns how many were dropped. */
  invalidate(scope?: { connectionId?: number }): number;
  clear(): void;
  stats(): { entries: number; bytes: number; hits: number; misses: number };
}

export interface QueryCacheOptions {
  maxEntries?: number;
  maxBytes?: number;
  /** A single result above this is not cached (default: a tenth of maxBytes). */
  maxEntryBytes?: number;
  ttlMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

interface Entry {
  connectionId: number;
  result: QueryResult;
  bytes: number;
  expiresAt: number;
}

export const queryCacheDefaults = { maxEntries: 1000, maxBytes: 64 * 1024 * 1024, ttlMs: 10 * 60_000 };

export function createQueryCache(options: QueryCacheOptions = {}): QueryCache {
  const maxEntries = options.maxEntries ?? queryCacheDefaults.maxEntries;
  const maxBytes = options.maxBytes ?? queryCacheDefaults.maxBytes;
  const maxEntryBytes = options.maxEntryBytes ?? Math.floor(maxBytes / 10);
  const ttlMs = options.ttlMs ?? queryCacheDefaults.ttlMs;
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: re-inserting on every hit keeps the least recent first.
  const entries = new Map<string, Entry>();
  let bytes = 0;
  let hits = 0;
  let misses = 0;

  const remove = (id: string, entry: Entry): void => {
    entries.delete(id);
    bytes -= entry.bytes;
  };

  return {
    get(key) {
      const id = keyOf(key);
      const entry = entries.get(id);
      if (!entry || entry.expiresAt <= now()) {
        if (entry) remove(id, entry);
        misses++;
        return undefined;
      }
      entries.delete(id);
      entries.set(id, entry);
      hits++;
      return entry.result;
    },
    set(key, result) {
      const size = estimateBytes(result);
      if (size > maxEntryBytes) return;
      const id = keyOf(key);
      const existing = entries.get(id);
      if (existing) remove(id, existing);
      entries.set(id, { connectionId: key.connectionId, result, bytes: size, expiresAt: now() + ttlMs });
      bytes += size;
      for (const [oldest, entry] of entries) {
        if (entries.size <= maxEntries && bytes <= maxBytes) break;
        remove(oldest, entry);
      }
    },
    invalidate(scope = {}) {
      let dropped = 0;
      for (const [id, entry] of entries) {
        if (scope.connectionId === undefined || entry.connectionId === scope.connectionId) {
          remove(id, entry);
          dropped++;
        }
      }
      return dropped;
    },
    clear() {
      entries.clear();
      bytes = 0;
    },
    stats: () => ({ entries: entries.size, bytes, hits, misses }),
  };
}

const keyOf = (key: QueryCacheKey): string =>
  JSON.stringify([key.dialect, key.connectionId, key.modelVersion, key.query.sql, key.query.params]);

/** Rough heap size: 16 bytes per cell plus two per string character; enough to bound memory. */
export function estimateBytes(result: QueryResult): number {
  let size = 64;
  for (const row of result.rows) {
    size += 32;
    for (const cell of row) size += typeof cell === 'string' ? 16 + 2 * cell.length : 16;
  }
  return size;
}
