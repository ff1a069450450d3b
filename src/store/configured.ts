import { join } from 'node:path';
import type { Config } from '../config.ts';
import { openPostgresStore, openSqliteStore, type Store } from './database.ts';

/** The metadata store the configuration names: the server and the command line open the same one. */
export function openConfiguredStore(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Store {
  return config.databaseUrl
    ? openPostgresStore(config.databaseUrl)
    : openSqliteStore(join(config.dataDir, 'rosetta.sqlite'));
}
