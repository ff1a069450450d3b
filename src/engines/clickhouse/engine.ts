import { randomUUID } from 'node:crypto';
import { ClickHouseError } from '@clickhouse/client';
import { validationError } from '../../core/errors.ts';
import { toEngineError } from '../errors.ts';
import {
  catalogOfColumns,
  EVERY_TABLE,
  type OpenResult,
  runStatement,
  type StatementDriver,
  type StreamOptions,
  streamStatement,
} from '../statement.ts';
import type {
  Catalog,
  ColumnInfo,
  CompiledQuery,
  Engine,
  QueryResult,
  RowStream,
  RunOptions,
  TableInfo,
} from '../types.ts';
import { type ClickHouseClient, type ClickHouseSpec, createClickHouseClient } from './client.ts';
import { clickhouseLiteral, substituteParams } from './literal.ts';
import { openRows } from './rows.ts';
import { columnTypeOfClickhouse, isNullableType, unescapeField } from './values.ts';

export { createClickHouseClient } from './client.ts';

/** One statement in flight: HTTP has no connection to hold, only the request and its query id. */
interface Statement {
  queryId: string;
  request: AbortController;
}

/**
 * A user's SQL runs with `readonly=1`: the server refuses writes, DDL, SET and SETTINGS clauses
 * (so it cannot lift the limit), and HTTP takes one statement per request. ClickHouse 18.16
 * accepts Rosetta's own settings in the same request.
 */
const READ_ONLY = { readonly: '1' } as const;

/** How servers before 19.x word a refusal, which the client does not recognise as one. */
const OLD_SERVER_ERROR = /^Code: \d+, e\.displayText\(\) = (.*?)(?:, e\.what\(\) = .*)?$/s;

/** A statement the server refused is the statement's fault (400 on `sql`); anything else is ERR_ENGINE. */
function statementError(error: unknown) {
  if (error instanceof ClickHouseError) return validationError('sql', error.message);
  const refusal = error instanceof Error ? OLD_SERVER_ERROR.exec(error.message) : null;
  return refusal ? validationError('sql', refusal[1].trim()) : toEngineError(error);
}

/**
 * Statements that answer with rows. The client appends a FORMAT clause to a query, which an
 * INSERT … VALUES would read as data: any other statement runs as a command without one.
 */
const RETURNS_ROWS = /^[\s(]*(SELECT|WITH|SHOW|DESC|DESCRIBE|EXISTS|EXPLAIN)\b/i;

const NO_ROWS: OpenResult = { columns: [], read: async () => [], close: async () => {} };

/**
 * A ClickHouse warehouse over HTTP. Values are substituted as literals (servers before 19.x have
 * no query parameters); results come as TabSeparatedWithNamesAndTypes, read as they arrive; a
 * cancel aborts the request and kills the query by its id.
 */
export class ClickHouseEngine implements Engine {
  readonly dialect = 'clickhouse' as const;
  readonly #client: ClickHouseClient;
  readonly #database: string;
  #serverZone: Promise<string> | undefined;
  #closed = false;

  constructor(spec: ClickHouseSpec) {
    this.#client = createClickHouseClient(spec);
    this.#database = spec.database;
  }

  async introspect(): Promise<TableInfo[]> {
    return (await this.catalog(EVERY_TABLE)).tables;
  }

  /** system.columns lists a table's columns in their order but has no position to sort on before 19.x. */
  async catalog(maxTables: number): Promise<Catalog> {
    const database = clickhouseLiteral(this.#database);
    const listed = `SELECT name FROM system.tables WHERE database = ${database} ORDER BY name LIMIT ${maxTables + 1}`;
    const tables = await this.#engineRows(
      `SELECT name, engine IN ('View', 'MaterializedView') FROM system.tables
       WHERE database = ${database} ORDER BY name LIMIT ${maxTables + 1}`,
    );
    const columns = await this.#engineRows(
      `SELECT table, name, type FROM system.columns WHERE database = ${database} AND table IN (${listed})`,
    );
    const byTable = new Map<string, string[][]>();
    for (const column of columns) {
      const group = byTable.get(column[0]);
      if (group) group.push(column);
      else byTable.set(column[0], [column]);
    }
    const rows = tables.flatMap(([table, isView]) =>
      (byTable.get(table) ?? []).map(([, column, type]) => [
        this.#database,
        table,
        isView,
        column,
        type,
        isNullableType(type) ? 1 : 0,
        columnTypeOfClickhouse(type),
      ]),
    );
    return catalogOfColumns(rows, maxTables);
  }

  async describeQuery(sql: string): Promise<ColumnInfo[]> {
    let rows: string[][];
    try {
      rows = await this.#rows(`DESCRIBE TABLE (${sql})`, READ_ONLY);
    } catch (error) {
      throw statementError(error);
    }
    return rows.map(([name, type]) => ({
      name,
      type: columnTypeOfClickhouse(type),
      nativeType: type,
      nullable: true,
    }));
  }

  async run(query: CompiledQuery, options: RunOptions): Promise<QueryResult> {
    return runStatement(await this.#driver(options), query, options);
  }

  async stream(query: CompiledQuery, options: StreamOptions): Promise<RowStream> {
    return streamStatement(await this.#driver(options), query, options);
  }

  async ping(): Promise<void> {
    if (this.#closed) throw toEngineError(new Error('the ClickHouse engine is closed'));
    await this.#engineRows('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client.close();
  }

  /** Every row of a small statement of Rosetta's own, as unescaped text fields; errors are ERR_ENGINE. */
  async #engineRows(sql: string): Promise<string[][]> {
    try {
      return await this.#rows(sql);
    } catch (error) {
      throw toEngineError(error);
    }
  }

  /** Every row of a small statement, as unescaped text fields; failures are the driver's. */
  async #rows(sql: string, settings: Record<string, string> = {}): Promise<string[][]> {
    if (this.#closed) throw toEngineError(new Error('the ClickHouse engine is closed'));
    const result = await this.#client.query({
      query: sql,
      format: 'TabSeparated',
      clickhouse_settings: settings,
    });
    const text = await result.text();
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split('\t').map((field) => unescapeField(field) ?? ''));
  }

  /** DateTime columns without a zone of their own are rendered in the server's. */
  #zone(): Promise<string> {
    this.#serverZone ??= this.#engineRows('SELECT timezone()').then(
      ([[zone]]) => zone,
      (error) => {
        this.#serverZone = undefined;
        throw error;
      },
    );
    return this.#serverZone;
  }

  async #driver(options: { readOnly?: boolean }): Promise<StatementDriver<Statement>> {
    if (this.#closed) throw toEngineError(new Error('the ClickHouse engine is closed'));
    const zone = await this.#zone();
    return {
      acquire: async () => ({ queryId: randomUUID(), request: new AbortController() }),
      open: (statement, query) => this.#open(statement, query, zone, options.readOnly === true),
      interrupt: (statement) => this.#kill(statement),
      release: () => {},
    };
  }

  async #open(
    statement: Statement,
    query: CompiledQuery,
    zone: string,
    readOnly: boolean,
  ): Promise<OpenResult> {
    const request = {
      query: substituteParams(query),
      query_id: statement.queryId,
      abort_signal: statement.request.signal,
      clickhouse_settings: readOnly ? READ_ONLY : {},
    };
    try {
      if (!RETURNS_ROWS.test(request.query)) {
        // readonly=1 still lets KILL QUERY stop the statements of the same user: Rosetta's own.
        if (readOnly)
          throw validationError(
            'sql',
            'only a query that reads (SELECT, WITH, SHOW, DESCRIBE…) may run here',
          );
        await this.#client.command(request);
        return NO_ROWS;
      }
      const result = await this.#client.query({ ...request, format: 'TabSeparatedWithNamesAndTypes' });
      return await openRows(result.stream(), zone, async (outcome) => {
        // Rows may still wait on the wire: the server stops only when told.
        if (outcome === 'cut') await this.#kill(statement);
      });
    } catch (error) {
      throw readOnly ? statementError(error) : error;
    }
  }

  /** Aborts the request and kills the query, which the server would otherwise finish unseen. */
  async #kill(statement: Statement): Promise<void> {
    statement.request.abort();
    try {
      await this.#client.command({
        query: `KILL QUERY WHERE query_id = ${clickhouseLiteral(statement.queryId)} ASYNC`,
      });
    } catch {
      // The statement may have ended meanwhile, or the server be gone: either way nothing to stop.
    }
  }
}
