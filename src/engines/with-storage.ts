import type { Engine, ManagedStorage } from './types.ts';

/** What a managed storage answers; all but `countRows` change a table, named first. */
export const STORAGE_METHODS = [
  'createTable',
  'dropTable',
  'addColumns',
  'insertRows',
  'upsertRows',
  'deleteRows',
  'replaceRows',
  'loadCsv',
  'countRows',
  'applyOperations',
] as const satisfies readonly (keyof ManagedStorage)[];

/**
 * The engine of a warehouse that also holds Rosetta's managed tables (a PostgreSQL or ClickHouse
 * `ROSETTA_STORAGE_URL`, whose spec carries `storage`): it answers `storage`'s methods too, so
 * `hasManagedStorage` tells it from a plain connection to the same engine. `release` frees what
 * the storage holds of its own when the engine closes.
 */
export function withStorage<E extends Engine>(
  engine: E,
  storage: ManagedStorage,
  release?: () => Promise<void>,
): E & ManagedStorage {
  const close = engine.close.bind(engine);
  const methods = Object.fromEntries(
    STORAGE_METHODS.map((name) => [name, storage[name].bind(storage)]),
  ) as Omit<ManagedStorage, 'storageSchema'>;
  return Object.assign(engine, methods, {
    storageSchema: storage.storageSchema,
    async close() {
      await close();
      await release?.();
    },
  });
}

export function hasManagedStorage(engine: Engine): engine is Engine & ManagedStorage {
  const candidate = engine as Engine & Partial<Record<(typeof STORAGE_METHODS)[number], unknown>>;
  return STORAGE_METHODS.every((method) => typeof candidate[method] === 'function');
}
