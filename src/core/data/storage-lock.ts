import { type Engine, type ManagedStorage, STORAGE_METHODS } from '../../engines/index.ts';
import type { StoreLock } from '../../store/locks.ts';

const WRITES = new Set<PropertyKey>(STORAGE_METHODS.filter((method) => method !== 'countRows'));

/**
 * The storage with every write to a table held under the store's lock for that table, so two
 * nodes never rewrite one shared table at once (ClickHouse has no transactions to serialize them).
 * Methods are bound to the engine itself: its private fields are not reachable through a proxy.
 */
export function lockedStorage<S extends Engine & ManagedStorage>(storage: S, lock: StoreLock): S {
  return new Proxy(storage, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (!WRITES.has(property)) return value.bind(target);
      return (table: string, ...rest: unknown[]) =>
        lock(`rosetta storage table ${table}`, () => value.call(target, table, ...rest));
    },
  });
}
