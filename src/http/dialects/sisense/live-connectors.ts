import type { SisenseFaceConfig } from '../../../config.ts';
import type { Principal } from '../../../core/auth/index.ts';
import type {
  ConnectionInput,
  ConnectionTarget,
  ConnectionType,
  TableAddress,
} from '../../../core/data/index.ts';
import { notFound, validationError } from '../../../core/errors.ts';
import { type App, principalOf } from '../../server.ts';
import {
  connectionTypeOf,
  isRecord,
  PROVIDERS,
  parametersOf,
  providerOf,
  readParameters,
  withSisenseFields,
} from './connection-shapes.ts';
import { type ConnectionPorts, connectionByOid } from './connections.ts';

/**
 * LC-01…08 (`/api/v1/live_connectors`): the connector types are Rosetta's engines; the POSTs
 * browse a warehouse through the core's connection browser. Their body is
 * `{connectionParameters}`: either `{id}` (a saved connection's oid) or the connection's
 * parameters (`Server`, `DefaultDatabase`, `UserName`, `Password`, … or a `connectionString`),
 * which only those who may create connections may try. Table calls name `schema` and `table` in
 * it too (the doc leaves where open: catalogue §2.20).
 */

type ProviderParams = { Params: { provider: string } };

const AT = 'connectionParameters';
/** Keys of `connectionParameters` that address a saved connection or a table, not a parameter. */
const ADDRESS_KEYS = ['id', 'schema', 'schemaName', 'table', 'tableName', 'limit'] as const;

/** Rows a preview shows when the body does not say, and at most (the core's console bound). */
const DEFAULT_PREVIEW_ROWS = 100;
const MAX_PREVIEW_ROWS = 10_000;

interface Request {
  target: ConnectionTarget;
  /** The database the connection reads (a DuckDB connection: its file). */
  database: string;
  parameters: Record<string, unknown>;
}

function knownProvider(provider: string): ConnectionType {
  try {
    return connectionTypeOf(provider);
  } catch {
    throw notFound('live connector', provider);
  }
}

async function readRequest(
  ports: ConnectionPorts,
  principal: Principal,
  provider: string,
  body: unknown,
): Promise<Request> {
  const type = knownProvider(provider);
  const parameters = isRecord(body) ? body[AT] : undefined;
  if (!isRecord(parameters)) throw validationError(AT, 'must be an object');
  if (parameters.id !== undefined) {
    const extra = Object.keys(parameters).find((key) => !(ADDRESS_KEYS as readonly string[]).includes(key));
    if (extra !== undefined)
      throw validationError(
        `${AT}.${extra}`,
        'a saved connection (id) takes its own parameters: give id or parameters',
      );
    const connection = await connectionByOid(ports, principal, parameters.id, `${AT}.id`);
    if (connection.type !== type)
      throw validationError(
        'provider',
        `connection ${String(parameters.id)} is ${providerOf(connection.type).name}`,
      );
    const database = connection.type === 'duckdb' ? (connection.file ?? '') : (connection.database ?? '');
    return { target: { ref: connection.id }, database, parameters };
  }
  const input = {
    ...readParameters(parameters, AT, ADDRESS_KEYS),
    name: 'live connector',
    type,
  } as ConnectionInput;
  return { target: { input }, database: input.database ?? '', parameters };
}

function optionalText(parameters: Record<string, unknown>, keys: readonly string[]): string | undefined {
  const key = keys.find((name) => parameters[name] !== undefined);
  if (key === undefined) return undefined;
  const value = parameters[key];
  if (typeof value !== 'string' || value === '' || value.length > 1000)
    throw validationError(`${AT}.${key}`, 'must be a non-empty string');
  return value;
}

function tableOf(parameters: Record<string, unknown>): TableAddress {
  const table = optionalText(parameters, ['table', 'tableName']);
  if (table === undefined) throw validationError(`${AT}.table`, 'is required');
  const schema = optionalText(parameters, ['schema', 'schemaName']);
  return { table, ...(schema !== undefined && { schema }) };
}

function previewLimit(parameters: Record<string, unknown>, maxRows: number): number {
  const limit = parameters.limit ?? DEFAULT_PREVIEW_ROWS;
  if (!Number.isInteger(limit) || (limit as number) < 1)
    throw validationError(`${AT}.limit`, 'must be a positive integer');
  return Math.min(limit as number, maxRows, MAX_PREVIEW_ROWS);
}

export function registerLiveConnectorRoutes(
  app: App,
  ports: ConnectionPorts,
  config: SisenseFaceConfig,
): void {
  const browser = ports.data.connectionBrowser;
  const base = '/api/v1/live_connectors';

  app.get(base, async () =>
    PROVIDERS.map((provider) => ({ provider: provider.name, title: provider.title, type: 'live' })),
  );

  app.get<ProviderParams>(`${base}/:provider`, async (request) => {
    const provider = providerOf(knownProvider(request.params.provider));
    return { provider: provider.name, title: provider.title, parameters: parametersOf(provider.type) };
  });

  /** One POST route: reads the body into a target, then answers what `answer` makes of it. */
  const browse = (action: string, answer: (principal: Principal, request: Request) => Promise<unknown>) =>
    app.post<ProviderParams>(`${base}/:provider/${action}`, async (request) => {
      const principal = principalOf(request);
      const read = await readRequest(ports, principal, request.params.provider, request.body);
      return withSisenseFields(AT, () => answer(principal, read));
    });

  browse('test_connection', async (principal, { target }) => {
    await browser.test(principal, target);
    return { status: 'OK' };
  });

  // A Rosetta connection reads one database: the one it names.
  browse('list_databases', async (principal, { target, database }) => {
    await browser.test(principal, target);
    return [{ name: database }];
  });

  browse('list_table_schemas', async (principal, { target, parameters }) => {
    const schema = optionalText(parameters, ['schema', 'schemaName']);
    const { schemas } = await browser.schema(principal, target);
    return schemas
      .filter((entry) => schema === undefined || entry.name === schema)
      .flatMap((entry) =>
        entry.tables.map((table) => ({
          schemaName: entry.name,
          tableName: table.name,
          tableType: table.kind,
        })),
      );
  });

  browse('table_schema_details', async (principal, { target, parameters }) => {
    const address = tableOf(parameters);
    const { schemas } = await browser.schema(principal, target);
    const found = schemas.flatMap((entry) =>
      entry.tables
        .filter((table) => table.name === address.table && (address.schema ?? entry.name) === entry.name)
        .map((table) => ({ schemaName: entry.name, table })),
    );
    if (found.length === 0) throw notFound('table', address.table);
    if (found.length > 1)
      throw validationError(`${AT}.schema`, `table "${address.table}" is in several schemas`);
    const [{ schemaName, table }] = found;
    return {
      schemaName,
      tableName: table.name,
      tableType: table.kind,
      columns: table.columns.map((column) => ({
        columnName: column.name,
        dbType: column.nativeType,
        type: column.type,
        nullable: column.nullable,
      })),
    };
  });

  browse('count', async (principal, { target, parameters }) => ({
    count: await browser.countRows(principal, target, tableOf(parameters)),
  }));

  browse('table_preview', async (principal, { target, parameters }) => {
    const limit = previewLimit(parameters, config.maxRows);
    const result = await browser.previewRows(principal, target, tableOf(parameters), limit);
    return {
      columns: result.columns.map((column) => ({ name: column.name, type: column.type })),
      rows: result.rows,
      truncated: result.truncated,
    };
  });
}
