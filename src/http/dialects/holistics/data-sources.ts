import type { Connection, ConnectionInput } from '../../../core/data/index.ts';
import { validationError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { renameFields } from '../../kit/index.ts';
import { type App, principalOf } from '../../server.ts';
import { asyncResult } from './jobs-view.ts';
import { holisticsRoute } from './routes.ts';

/**
 * Data sources (`/data_sources/{id}`): Holistics' database connections are Rosetta connections,
 * read, changed, deleted (to the trash, as the native API does) and their cached query results
 * busted, all through the core's connection and cache services. No answer carries a secret.
 */

export type DataSourcePorts = Pick<Services, 'data' | 'cacheBusts'>;

type IdParams = { Params: { id: number } };

/** Holistics' `dbtype` names of Rosetta's engines. */
const dbtypes: Record<Connection['type'], string> = {
  duckdb: 'duckdb',
  postgres: 'postgresql',
  mysql: 'mysql',
  clickhouse: 'clickhouse',
};

/**
 * What every Rosetta connection's settings are, as Holistics names them: Rosetta keeps no
 * per-connection timeout or zone, browses every schema, and never takes a connection string.
 */
const FIXED_SETTINGS = { query_timeout: null, enable_schema_info: true, use_connection_str: false } as const;

/** The `DataSource` schema: the built-in warehouse is the default one, which new models read. */
export const dataSourceJson = (connection: Connection) => ({
  id: connection.id,
  name: connection.name,
  dbtype: dbtypes[connection.type],
  settings: { require_ssl: connection.ssl, ...FIXED_SETTINGS },
  is_sample: false,
  is_default: connection.builtin,
});

interface SettingsBody {
  require_ssl?: boolean;
  query_timeout?: number | null;
  enable_schema_info?: boolean;
  use_connection_str?: boolean;
  timezone?: string;
}

interface DbconfigBody {
  database?: string | null;
  host?: string | null;
  port?: string | null;
  username?: string | null;
  password?: string | null;
}

interface UpdateBody {
  data_source: { name?: string | null; settings?: SettingsBody | null; dbconfig?: DbconfigBody | null };
}

const SETTINGS_AT = 'data_source.settings';
const DBCONFIG_AT = 'data_source.dbconfig';

/** Settings Rosetta cannot keep are refused, not dropped; the values it answers with may be sent back. */
function settingsPatch(settings: SettingsBody): Partial<ConnectionInput> {
  for (const [key, fixed] of Object.entries(FIXED_SETTINGS)) {
    const given = settings[key as keyof SettingsBody];
    if (given !== undefined && given !== fixed)
      throw validationError(
        `${SETTINGS_AT}.${key}`,
        `Rosetta connections take only ${JSON.stringify(fixed)}`,
      );
  }
  if (settings.timezone !== undefined)
    throw validationError(
      `${SETTINGS_AT}.timezone`,
      'Rosetta connections have no time zone of their own: queries and reports name theirs',
    );
  return settings.require_ssl === undefined ? {} : { ssl: settings.require_ssl };
}

function portOf(port: string): number {
  if (!/^[0-9]{1,5}$/.test(port)) throw validationError(`${DBCONFIG_AT}.port`, 'must be a port number');
  return Number(port);
}

/** `null` leaves a value as it is: Holistics clients send the fields they do not change as null. */
function dbconfigPatch(connection: Connection, dbconfig: DbconfigBody): Partial<ConnectionInput> {
  const given = Object.entries(dbconfig).filter(([, value]) => value !== null && value !== undefined);
  const values = Object.fromEntries(given) as Record<keyof DbconfigBody, string | undefined>;
  if (connection.type === 'duckdb') {
    // A DuckDB connection is a file in the server's data folder: its name is the database.
    const server = given.find(([key]) => key !== 'database');
    if (server)
      throw validationError(
        `${DBCONFIG_AT}.${server[0]}`,
        'a DuckDB connection reads a file and has no server',
      );
    return values.database === undefined ? {} : { file: values.database };
  }
  return {
    ...(values.host !== undefined && { host: values.host }),
    ...(values.port !== undefined && { port: portOf(values.port) }),
    ...(values.database !== undefined && { database: values.database }),
    ...(values.username !== undefined && { user: values.username }),
    ...(values.password !== undefined && { password: values.password }),
  };
}

/** Core field names back to where the Holistics body holds them. */
const bodyFields: Record<string, string> = {
  name: 'data_source.name',
  host: `${DBCONFIG_AT}.host`,
  port: `${DBCONFIG_AT}.port`,
  database: `${DBCONFIG_AT}.database`,
  user: `${DBCONFIG_AT}.username`,
  file: `${DBCONFIG_AT}.database`,
};

export function registerDataSourceRoutes(api: App, ports: DataSourcePorts): void {
  const { connections } = ports.data;

  holisticsRoute<IdParams>(api, 'DataSources_Get', async (request) => ({
    data_source: dataSourceJson(await connections.get(principalOf(request), request.params.id)),
  }));

  holisticsRoute<IdParams & { Body: UpdateBody }>(api, 'DataSources_Update', async (request) => {
    const principal = principalOf(request);
    const current = await connections.get(principal, request.params.id);
    const { name, settings, dbconfig } = request.body.data_source;
    const patch: Partial<ConnectionInput> = {
      ...(typeof name === 'string' && { name }),
      ...(settings && settingsPatch(settings)),
      ...(dbconfig && dbconfigPatch(current, dbconfig)),
    };
    try {
      return { data_source: dataSourceJson(await connections.update(principal, current.id, patch)) };
    } catch (error) {
      throw renameFields(error, (field) => bodyFields[field] ?? field);
    }
  });

  holisticsRoute<IdParams>(api, 'DataSources_Delete', async (request) => {
    const principal = principalOf(request);
    const connection = await connections.get(principal, request.params.id);
    await connections.delete(principal, connection.id);
    return { message: `Data Source ${connection.id} was deleted successfully` };
  });

  holisticsRoute<IdParams>(api, 'DataSources_BustExplorationCache', async (request) => {
    const principal = principalOf(request);
    const connection = await connections.get(principal, request.params.id);
    return asyncResult(await ports.cacheBusts.enqueue(principal, connection.id));
  });
}
