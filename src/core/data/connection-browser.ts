import type { Engine } from '../../engines/types.ts';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { isRosettaError, notFound, RosettaError, validationError } from '../errors.ts';
import { dialects } from '../query/dialects.ts';
import type { ConnectionService } from './connections.ts';
import { DEFAULT_PORTS, validateConnectionInput } from './connections.ts';
import type { EngineFactory, EngineRegistry } from './engine-registry.ts';
import { browseSchema, type ConnectionSchema, MAX_SQL_ROWS, type SqlResult } from './sql-console.ts';
import type { ConnectionInput } from './types.ts';

/**
 * Browsing a warehouse while a connection is being set up: test it, list its tables and
 * columns, count a table's rows and preview them — on a saved connection (`ref`), or on
 * parameters not saved yet (`input`), as connection dialogs do before "Save". Unsaved parameters
 * reach any server the caller names, so only those who may create connections may use them
 * (`connection.manage`); a saved connection needs `connection.read`, as its test and schema.
 * Unsaved parameters open a throw-away engine, closed after the call, never the shared pool.
 */
export type ConnectionTarget = { ref: number | string } | { input: ConnectionInput };

export interface TableAddress {
  /** Absent: the table is looked for in every schema (it must be the only one of that name). */
  schema?: string;
  table: string;
}

export interface ConnectionBrowser {
  test(principal: Principal, target: ConnectionTarget): Promise<void>;
  schema(principal: Principal, target: ConnectionTarget): Promise<ConnectionSchema>;
  countRows(principal: Principal, target: ConnectionTarget, table: TableAddress): Promise<number>;
  /** The first `limit` rows (1 to MAX_SQL_ROWS) of a table, as the warehouse returns them. */
  previewRows(
    principal: Principal,
    target: ConnectionTarget,
    table: TableAddress,
    limit: number,
  ): Promise<SqlResult>;
}

const PROBE_TIMEOUT_MS = 10_000;

export function createConnectionBrowser(deps: {
  connections: ConnectionService;
  registry: EngineRegistry;
  createEngine: EngineFactory;
  sqlTimeoutMs?: number;
}): ConnectionBrowser {
  /** Runs `use` on the target's engine: the shared one of a saved connection, or a throw-away one. */
  async function withEngine<T>(
    principal: Principal,
    target: ConnectionTarget,
    use: (engine: Engine) => Promise<T>,
  ): Promise<T> {
    if ('ref' in target) {
      const connection = await deps.connections.get(principal, target.ref);
      return use(await deps.registry.engineFor(connection.id));
    }
    authorize(principal, 'connection.manage');
    const input = target.input;
    if (input.type === 'duckdb')
      throw validationError(
        'type',
        'a DuckDB file opens once per server: browse it through its saved connection',
      );
    // DuckDB files are refused above, so no file needs resolving here.
    await validateConnectionInput(input, async () => '');
    const engine = deps.createEngine({
      type: input.type,
      host: input.host ?? '',
      port: input.port ?? DEFAULT_PORTS[input.type],
      database: input.database ?? '',
      user: input.user ?? '',
      ...(input.password && { password: input.password }),
      ssl: input.ssl ?? false,
      poolSize: 1,
    });
    try {
      return await use(engine);
    } finally {
      await engine.close().catch(() => {});
    }
  }

  async function findTable(engine: Engine, address: TableAddress) {
    const tables = await engine.introspect();
    const matches = tables.filter(
      (table) =>
        table.name === address.table && (address.schema === undefined || table.schema === address.schema),
    );
    const shown = address.schema === undefined ? address.table : `${address.schema}.${address.table}`;
    if (matches.length === 0) throw notFound('table', shown);
    if (matches.length > 1)
      throw validationError('schema', `table "${address.table}" is in several schemas: name one`);
    const [table] = matches;
    const quote = dialects[engine.dialect].quote;
    return { ...table, sqlName: `${quote(table.schema)}.${quote(table.name)}` };
  }

  const readRows = (engine: Engine, sql: string, maxRows: number) =>
    engine.run({ sql, params: [] }, { maxRows, readOnly: true, timeoutMs: deps.sqlTimeoutMs });

  return {
    async test(principal, target) {
      if ('ref' in target) return deps.connections.test(principal, target.ref);
      await withEngine(principal, target, async (engine) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new RosettaError('ERR_TIMEOUT', `no answer within ${PROBE_TIMEOUT_MS} ms`)),
            PROBE_TIMEOUT_MS,
          );
        });
        try {
          await Promise.race([engine.ping(), timeout]);
        } catch (error) {
          if (isRosettaError(error) && error.code === 'ERR_TIMEOUT') throw error;
          const reason = error instanceof Error ? error.message : String(error);
          throw new RosettaError('ERR_ENGINE', `connection failed: ${reason}`);
        } finally {
          clearTimeout(timer);
        }
      });
    },
    async schema(principal, target) {
      if ('ref' in target) return deps.connections.schema(principal, target.ref);
      return withEngine(principal, target, (engine) => browseSchema(engine, []));
    },
    countRows(principal, target, address) {
      return withEngine(principal, target, async (engine) => {
        const table = await findTable(engine, address);
        const result = await readRows(engine, `SELECT count(*) AS row_count FROM ${table.sqlName}`, 1);
        return Number(result.rows[0]?.[0] ?? 0);
      });
    },
    async previewRows(principal, target, address, limit) {
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SQL_ROWS)
        throw validationError('limit', `must be an integer from 1 to ${MAX_SQL_ROWS}`);
      return withEngine(principal, target, async (engine) => {
        const table = await findTable(engine, address);
        const started = performance.now();
        const result = await readRows(engine, `SELECT * FROM ${table.sqlName}`, limit);
        return { ...result, durationMs: Math.round(performance.now() - started) };
      });
    },
  };
}
