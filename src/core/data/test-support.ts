import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempPostgres, type TempDatabase } from '../../../test/support/databases.ts';
import { openPostgresStore, openSqliteStore, type Store } from '../../store/database.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import { bootstrapDirectory } from '../auth/bootstrap.ts';
import type { Principal, Role } from '../auth/principal.ts';
import { isRosettaError } from '../errors.ts';
import { createDomainEvents, type DomainEvents } from '../events.ts';
import type { ItemFiling } from '../filing.ts';
import { createQueryService, type QueryService } from '../query/index.ts';
import { createDataModule, type DataModule } from './index.ts';
import type { Connection } from './types.ts';

/**
 * Test harness for the data module: a fresh metadata store (SQLite file or a throw-away
 * PostgreSQL database), a temp data dir holding the embedded DuckDB, and a record of
 * `dataChanged` events. `undefined` when PostgreSQL is not reachable (the caller skips).
 */
export interface Harness {
  data: DataModule;
  /** Over the data module: previews and queries read back what the tests wrote. */
  query: QueryService;
  store: Store;
  dataDir: string;
  embedded: Connection;
  changes: Array<[dataSourceId: number, connectionId: number]>;
  /** The bus the data module announces on, for tests of other events. */
  events: DomainEvents;
  close(): Promise<void>;
}

export const ORGANIZATION_ID = 1;
/** The admin of the harness organization. */
export const HARNESS_ADMIN_EMAIL = 'admin@example.com';

export function principalFor(role: Role, overrides: Partial<Principal> = {}): Principal {
  return {
    kind: 'session',
    userId: 1,
    userUuid: '00000000-0000-4000-8000-000000000001',
    email: `${role}@example.test`,
    organizationId: ORGANIZATION_ID,
    projectId: 1,
    role,
    groupIds: [],
    attributes: {},
    ...overrides,
  };
}

export async function openHarness(
  kind: 'sqlite' | 'postgres',
  options: {
    /** The folders sources and models are filed in, over the harness store; none by default. */
    filing?: (store: Store) => ItemFiling;
  } = {},
): Promise<Harness | undefined> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-data-'));
  let database: TempDatabase | undefined;
  let store: Store;
  if (kind === 'postgres') {
    database = await createTempPostgres('rosetta_data');
    if (!database.available) return undefined;
    store = openPostgresStore(database.url);
  } else {
    store = openSqliteStore(join(dataDir, 'metadata.sqlite'));
  }
  await migrateToLatest(store);
  // Organization 1 with its default project 1 (which models of the test principals belong to)
  // and its admin, as a first start makes them.
  await bootstrapDirectory(store, {
    adminEmail: HARNESS_ADMIN_EMAIL,
    adminPassword: 'harness-admin-password',
  });
  const changes: Harness['changes'] = [];
  const events = createDomainEvents();
  events.on('dataChanged', ({ dataSourceId, connectionId }) => {
    changes.push([dataSourceId, connectionId]);
  });
  const data = createDataModule({
    store,
    dataDir,
    secret: 'test-secret-0123456789abcdef',
    events,
    filing: options.filing?.(store),
  });
  const embedded = await data.connections.ensureEmbedded(ORGANIZATION_ID);
  const query = createQueryService({
    resolveModel: (principal, source, options) => data.models.resolveModel(principal, source, options),
    sourceModel: (principal, ref) => data.models.sourceModel(principal, ref),
    engineFor: (connectionId) => data.registry.engineFor(connectionId),
    maxRows: 100_000,
    timeoutMs: 60_000,
  });
  return {
    data,
    query,
    store,
    dataDir,
    embedded,
    changes,
    events,
    async close() {
      await data.close();
      await store.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The code and message a promise rejects with, or "resolved". */
export async function messageOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isRosettaError(error) ? `${error.code} ${error.message}` : String(error);
  }
  return 'resolved';
}
