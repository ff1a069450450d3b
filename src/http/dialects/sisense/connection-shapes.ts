import type { Connection, ConnectionInput, ConnectionType } from '../../../core/data/index.ts';
import { validationError } from '../../../core/errors.ts';
import { renameFields } from '../../kit/index.ts';

/**
 * Sisense connections (`{provider, parameters: {Server, DefaultDatabase, UserName, Password,
 * EncryptConnection}}`, as its connector reference writes them) onto Rosetta's connection kinds.
 * Providers are Rosetta's engines under Sisense's names; a DuckDB connection names a file of the
 * server's data folder. No answer carries a password: `protectedParameters` says one is kept.
 */

interface Provider {
  /** The name Sisense writes in `provider`. */
  name: string;
  title: string;
  type: ConnectionType;
}

export const PROVIDERS: readonly Provider[] = [
  { name: 'postgresql', title: 'PostgreSQL', type: 'postgres' },
  { name: 'mysql', title: 'MySQL / MariaDB', type: 'mysql' },
  { name: 'duckdb', title: 'DuckDB', type: 'duckdb' },
];

/** Other spellings clients send for the same engines. */
const PROVIDER_ALIASES: Record<string, ConnectionType> = { postgres: 'postgres', mariadb: 'mysql' };

export const providerOf = (type: ConnectionType): Provider =>
  PROVIDERS.find((provider) => provider.type === type) as Provider;

/** The engine a `provider` names (any case); `field` names it in the 400 otherwise. */
export function connectionTypeOf(provider: unknown, field = 'provider'): ConnectionType {
  const name = typeof provider === 'string' ? provider.trim().toLowerCase() : undefined;
  const type = name && (PROVIDERS.find((p) => p.name === name)?.type ?? PROVIDER_ALIASES[name]);
  if (!type) throw validationError(field, `must be one of ${PROVIDERS.map((p) => p.name).join(', ')}`);
  return type;
}

export interface ParameterSpec {
  name: string;
  type: 'string' | 'number' | 'boolean';
  required: boolean;
  secret?: boolean;
  description: string;
}

const SERVER_PARAMETERS: readonly ParameterSpec[] = [
  { name: 'Server', type: 'string', required: true, description: 'Host name, or host:port' },
  { name: 'Port', type: 'number', required: false, description: 'Port, when Server does not carry it' },
  { name: 'DefaultDatabase', type: 'string', required: true, description: 'The database to read' },
  { name: 'UserName', type: 'string', required: true, description: 'User to sign in as' },
  { name: 'Password', type: 'string', required: false, secret: true, description: 'Never returned' },
  { name: 'EncryptConnection', type: 'boolean', required: false, description: 'Connect over TLS' },
];

const FILE_PARAMETERS: readonly ParameterSpec[] = [
  { name: 'File', type: 'string', required: true, description: "A DuckDB file in the server's data folder" },
];

/** LC-02: the parameters a provider's connection takes. */
export const parametersOf = (type: ConnectionType): readonly ParameterSpec[] =>
  type === 'duckdb' ? FILE_PARAMETERS : SERVER_PARAMETERS;

/** A connection's parameters as Sisense shows them: everything but the password. */
export function parametersJson(connection: Connection): Record<string, unknown> {
  if (connection.type === 'duckdb') return { File: connection.file ?? '' };
  return {
    Server: connection.port === undefined ? connection.host : `${connection.host}:${connection.port}`,
    DefaultDatabase: connection.database ?? '',
    UserName: connection.user ?? '',
    EncryptConnection: connection.ssl,
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length > 1000) throw validationError(field, 'must be a string');
  return value;
}

function port(value: unknown, field: string): number {
  const number = typeof value === 'string' && /^[0-9]{1,5}$/.test(value) ? Number(value) : value;
  if (!Number.isInteger(number) || (number as number) < 1 || (number as number) > 65535)
    throw validationError(field, 'must be a port number');
  return number as number;
}

/** `host` or `host:port` (an IPv6 address in brackets). */
function server(value: unknown, field: string): Partial<ConnectionInput> {
  const given = text(value, field).trim();
  const match = /^(\[[^\]]+\]|[^:]+)(?::([0-9]{1,5}))?$/.exec(given);
  if (!match) throw validationError(field, 'must be host or host:port');
  return { host: match[1], ...(match[2] !== undefined && { port: port(match[2], field) }) };
}

/**
 * A connection string (`jdbc:postgresql://host:5432/db`, `postgres://user@host/db`,
 * `mysql://…`): its provider and the parameters it carries.
 */
function connectionString(
  value: unknown,
  field: string,
): Partial<ConnectionInput> & { type: ConnectionType } {
  const given = text(value, field)
    .trim()
    .replace(/^jdbc:/i, '');
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw validationError(field, 'must be a URL such as jdbc:postgresql://host:5432/database');
  }
  const type = connectionTypeOf(url.protocol.slice(0, -1), field);
  if (type === 'duckdb') throw validationError(field, 'a DuckDB connection names its File instead');
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return {
    type,
    ...(url.hostname && { host: url.hostname }),
    ...(url.port && { port: Number(url.port) }),
    ...(database && { database }),
    ...(url.username && { user: decodeURIComponent(url.username) }),
    ...(url.password && { password: decodeURIComponent(url.password) }),
  };
}

type ParameterReader = (value: unknown, field: string) => Partial<ConnectionInput>;

const readers: Record<string, ParameterReader> = {
  server,
  port: (value, field) => ({ port: port(value, field) }),
  defaultdatabase: (value, field) => ({ database: text(value, field) }),
  database: (value, field) => ({ database: text(value, field) }),
  username: (value, field) => ({ user: text(value, field) }),
  password: (value, field) => ({ password: value === null ? null : text(value, field) }),
  encryptconnection: (value, field) => {
    if (typeof value !== 'boolean') throw validationError(field, 'must be true or false');
    return { ssl: value };
  },
  file: (value, field) => ({ file: text(value, field) }),
  connectionstring: (value, field) => {
    const { type: _type, ...rest } = connectionString(value, field);
    return rest;
  },
};

/**
 * The connection fields `parameters` set (names in any case); an unknown parameter is refused,
 * not dropped, so a misspelt one is not silently lost. Fields are named `<at>.<Parameter>`.
 */
export function readParameters(
  parameters: unknown,
  at: string,
  skip: readonly string[] = [],
): Partial<ConnectionInput> {
  if (!isRecord(parameters)) throw validationError(at, 'must be an object');
  const patch: Partial<ConnectionInput> = {};
  for (const [key, value] of Object.entries(parameters)) {
    if (skip.includes(key) || value === undefined) continue;
    const reader = readers[key.toLowerCase()];
    if (!reader) throw validationError(`${at}.${key}`, 'is not a parameter of Rosetta connections');
    Object.assign(patch, reader(value, `${at}.${key}`));
  }
  return patch;
}

/** Where each core field is written in a Sisense body, for 400s that name what the client sent. */
export const connectionFieldNames = (at: string): Record<string, string> => ({
  type: 'provider',
  host: `${at}.Server`,
  port: `${at}.Port`,
  database: `${at}.DefaultDatabase`,
  user: `${at}.UserName`,
  password: `${at}.Password`,
  file: `${at}.File`,
});

/** Runs `call`, renaming the core's field names in its 400 to the Sisense body's. */
export async function withSisenseFields<T>(at: string, call: () => Promise<T>): Promise<T> {
  const names = connectionFieldNames(at);
  try {
    return await call();
  } catch (error) {
    throw renameFields(error, (field) => names[field] ?? field);
  }
}

/**
 * A connection body (or a live connector's `connectionParameters`): `provider` (or the one of the
 * route), a `connectionString`, `parameters` — all optional on update.
 */
export function readConnectionBody(
  body: Record<string, unknown>,
  options: { providerField?: string } = {},
): Partial<ConnectionInput> {
  const fromString =
    body.connectionString === undefined
      ? undefined
      : connectionString(body.connectionString, 'connectionString');
  const type =
    body.provider === undefined
      ? fromString?.type
      : connectionTypeOf(body.provider, options.providerField ?? 'provider');
  if (fromString && type !== fromString.type)
    throw validationError('connectionString', `is for ${fromString.type}, not ${type}`);
  const name = body.name ?? body.title;
  return {
    ...(name !== undefined && { name: text(name, body.name === undefined ? 'title' : 'name') }),
    ...(type && { type }),
    ...fromString,
    ...(body.parameters !== undefined && readParameters(body.parameters, 'parameters')),
  };
}

export { isRecord };
