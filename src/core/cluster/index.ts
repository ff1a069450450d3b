import { type ClusterBus, createLocalBus } from './bus.ts';
import { openPostgresBus } from './postgres-bus.ts';
import { openRedisBus } from './redis-bus.ts';

export type { ClusterBus, ClusterHandler, ClusterMessage } from './bus.ts';
export { createClusterRelay } from './relay.ts';

/**
 * The bus this node's configuration calls for: Redis pub/sub when a Redis URL is set, else the
 * PostgreSQL metadata store's LISTEN/NOTIFY, else (SQLite: one node) none.
 */
export function openClusterBus(config: { redisUrl?: string; databaseUrl?: string }): Promise<ClusterBus> {
  if (config.redisUrl) return openRedisBus({ url: config.redisUrl });
  if (config.databaseUrl) return openPostgresBus({ url: config.databaseUrl });
  return Promise.resolve(createLocalBus());
}
