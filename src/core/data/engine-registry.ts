import type { Selectable } from 'kysely';
import type { EngineSpec } from '../../engines/spec.ts';
import type { Engine } from '../../engines/types.ts';
import type { Store } from '../../store/database.ts';
import { notFound, RosettaError } from '../errors.ts';
import { DEFAULT_PORTS } from './connections.ts';
import type { SecretBox } from './secrets.ts';
import type { ConnectionsTable } from './tables.ts';
import { duckdbFile, organizationFolder } from './warehouse-files.ts';

export type EngineFactory = (spec: EngineSpec) => Engine;

/**
 * One engine (with its own pool) per distinct warehouse. Connections with the same spec share
 * an engine: a DuckDB file may be opened only once per process (each organization's DuckDB files,
 * its "Embedded DuckDB" among them, live in its own folder: `warehouse-files.ts`). A change to a
 * connection must call `invalidate`, which closes the old engine once no other connection uses
 * it (queries still running on it fail).
 */
export interface EngineRegistry {
  engineFor(connectionId: number): Promise<Engine>;
  /** Opens a throw-away engine and pings it, so a test never disturbs the shared pool. */
  probe(connectionId: number, timeoutMs?: number): Promise<void>;
  invalidate(connectionId: number): Promise<void>;
  /**
   * Closes the engines of connections whose settings changed (or that are gone) since they were
   * opened: for a node that may have missed the invalidations of another (core/cluster).
   */
  revalidate(): Promise<void>;
  close(): Promise<void>;
}

/** How to reach a connection's warehouse; a DuckDB file is resolved inside its organization's folder. */
async function specOfConnection(
  store: Store,
  row: Selectable<ConnectionsTable>,
  secrets: SecretBox,
  dataDir: string,
  sharedStorage: EngineSpec | undefined,
): Promise<EngineSpec> {
  // The organization's own warehouse is the shared storage every node reaches, when there is one.
  if (row.builtin === 1 && sharedStorage) return sharedStorage;
  if (row.type === 'duckdb') {
    const folder = await organizationFolder(store.db, dataDir, row.organization_id);
    return { type: 'duckdb', file: await duckdbFile(dataDir, folder, row.file ?? '') };
  }
  if (row.type !== 'postgres' && row.type !== 'mysql' && row.type !== 'clickhouse')
    throw new Error(`connection ${row.id} has unknown type ${row.type}`);
  return {
    type: row.type,
    host: row.host ?? '',
    port: row.port ?? DEFAULT_PORTS[row.type],
    database: row.database_name ?? '',
    user: row.user_name ?? '',
    password: row.password_secret ? secrets.open(row.password_secret, row.uuid) : undefined,
    ssl: row.ssl === 1,
  };
}

export function createEngineRegistry(deps: {
  store: Store;
  secrets: SecretBox;
  dataDir: string;
  createEngine: EngineFactory;
  /** Managed storage on a shared warehouse (`ROSETTA_STORAGE_URL`): the builtin connections' warehouse. */
  sharedStorage?: EngineSpec;
}): EngineRegistry {
  const engines = new Map<string, { engine: Engine; users: Set<number> }>();
  const keyOfConnection = new Map<number, string>();

  async function specOf(connectionId: number): Promise<EngineSpec> {
    const row = await deps.store.db
      .selectFrom('connections')
      .selectAll()
      .where('id', '=', connectionId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw notFound('connection', connectionId);
    return specOfConnection(deps.store, row, deps.secrets, deps.dataDir, deps.sharedStorage);
  }

  async function release(connectionId: number): Promise<void> {
    const key = keyOfConnection.get(connectionId);
    if (key === undefined) return;
    keyOfConnection.delete(connectionId);
    const entry = engines.get(key);
    if (!entry) return;
    entry.users.delete(connectionId);
    if (entry.users.size === 0) {
      engines.delete(key);
      await entry.engine.close();
    }
  }

  return {
    async engineFor(connectionId) {
      const known = keyOfConnection.get(connectionId);
      const cached = known === undefined ? undefined : engines.get(known);
      if (cached) return cached.engine;
      const spec = await specOf(connectionId);
      // Checked again after the await: a concurrent call may have created the engine meanwhile.
      const key = JSON.stringify(spec);
      let entry = engines.get(key);
      if (!entry) {
        entry = { engine: deps.createEngine(spec), users: new Set() };
        engines.set(key, entry);
      }
      entry.users.add(connectionId);
      keyOfConnection.set(connectionId, key);
      return entry.engine;
    },
    async probe(connectionId, timeoutMs = 10_000) {
      const spec = await specOf(connectionId);
      const shared = engines.get(JSON.stringify(spec));
      // An open DuckDB file cannot be opened a second time: ping the engine that holds it.
      const engine = shared?.engine ?? deps.createEngine(spec);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new RosettaError('ERR_TIMEOUT', `no answer from the warehouse within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        await Promise.race([engine.ping(), timeout]);
      } finally {
        clearTimeout(timer);
        if (!shared) await engine.close().catch(() => {});
      }
    },
    invalidate: release,
    async revalidate() {
      for (const [connectionId, key] of [...keyOfConnection]) {
        // Unreadable settings (deleted, or the store briefly down) close the engine too: it reopens on demand.
        const current = await specOf(connectionId).then(
          (spec) => JSON.stringify(spec),
          () => undefined,
        );
        if (current !== key) await release(connectionId);
      }
    },
    async close() {
      const all = [...engines.values()];
      engines.clear();
      keyOfConnection.clear();
      await Promise.allSettled(all.map((entry) => entry.engine.close()));
    },
  };
}
