import { sql } from 'kysely';
import type { Store } from './database.ts';

/**
 * A lock every node of one metadata store sees, for work on something shared that has no lock of
 * its own (a managed table on ClickHouse, which has no transactions). On PostgreSQL it is a
 * session advisory lock held on one pooled connection for the work's duration, so a node killed
 * mid-work releases it with its connection; SQLite has one process, so a promise chain per name.
 */
export type StoreLock = <T>(name: string, work: () => Promise<T>) => Promise<T>;

export function createStoreLock(store: Pick<Store, 'db' | 'kind'>): StoreLock {
  if (store.kind === 'postgres') {
    return (name, work) =>
      store.db.connection().execute(async (connection) => {
        await sql`SELECT pg_advisory_lock(hashtext(${name}))`.execute(connection);
        try {
          return await work();
        } finally {
          await sql`SELECT pg_advisory_unlock(hashtext(${name}))`.execute(connection);
        }
      });
  }
  const chains = new Map<string, Promise<unknown>>();
  return async (name, work) => {
    const previous = chains.get(name) ?? Promise.resolve();
    const current = previous.catch(() => {}).then(work);
    chains.set(name, current);
    try {
      return await current;
    } finally {
      if (chains.get(name) === current) chains.delete(name);
    }
  };
}
