import type { Principal } from '../../../core/auth/index.ts';
import type { Connection, ConnectionInput, DataSource } from '../../../core/data/index.ts';
import { isRosettaError, validationError } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { renameFields } from '../../kit/index.ts';

type Field = 'host' | 'port' | 'user' | 'password' | 'database';

/**
 * The connection properties of a Serenytics SQL source's `jsonContent` (`set_property`), onto the
 * core connection the source reads. The first name is the one GET shows; the others are accepted
 * spellings. The password is written, never shown.
 */
const properties: { field: Field; names: string[] }[] = [
  { field: 'host', names: ['server_ip'] },
  { field: 'port', names: ['port'] },
  { field: 'user', names: ['login', 'user'] },
  { field: 'password', names: ['password'] },
  { field: 'database', names: ['database', 'db_name'] },
];

export const connectionPropertyNames = properties.flatMap((property) => property.names);

/** A connection's value of a field, as reads show it: the password is never shown. */
const shownValue = (connection: Connection | undefined, field: Field) =>
  field === 'password' ? undefined : connection?.[field];

/** The `jsonContent` properties GET shows of a source's remote connection. */
export function connectionContent(connection: Connection | undefined): Record<string, string | number> {
  if (connection?.type === 'duckdb') return {};
  return Object.fromEntries(
    properties.flatMap(({ field, names }) => {
      const value = shownValue(connection, field);
      return value === undefined ? [] : [[names[0], value]];
    }),
  );
}

function parsedValue(field: Field, name: string, value: unknown): string | number | null {
  if (field === 'port') {
    const port = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof port !== 'number' || !Number.isInteger(port))
      throw validationError(`jsonContent.${name}`, 'must be a port number');
    return port;
  }
  if (field === 'password' && value === null) return null;
  if (typeof value !== 'string') throw validationError(`jsonContent.${name}`, 'must be a string');
  return value;
}

interface Change {
  name: string;
  value: string | number | null;
}

/** What the saved properties change, each field with the name it came under (a password always changes). */
function changesOf(jsonContent: Record<string, unknown>, current: Connection | undefined) {
  const changes = new Map<Field, Change>();
  for (const { field, names } of properties) {
    for (const name of names.filter((given) => jsonContent[given] !== undefined)) {
      const value = parsedValue(field, name, jsonContent[name]);
      if (value === shownValue(current, field)) continue;
      const earlier = changes.get(field);
      if (earlier && earlier.value !== value)
        throw validationError(`jsonContent.${name}`, `disagrees with jsonContent.${earlier.name}`);
      changes.set(field, { name, value });
    }
  }
  return changes;
}

/**
 * Saves the connection properties of a config: the changed ones go to the core, which decides who
 * may change the connection and whether this source alone reads it.
 */
export async function saveConnectionProperties(
  services: Pick<Services, 'data'>,
  principal: Principal,
  source: DataSource,
  jsonContent: Record<string, unknown>,
): Promise<void> {
  if (!connectionPropertyNames.some((name) => jsonContent[name] !== undefined)) return;
  const { connections } = services.data;
  // A storage source has no connection of its own to compare with: the core refuses any change.
  const current =
    source.type === 'storage' ? undefined : await connections.get(principal, source.connectionId);
  const changes = changesOf(jsonContent, current);
  if (changes.size === 0) return;
  const patch: Partial<ConnectionInput> = Object.fromEntries(
    [...changes].map(([field, { value }]) => [field, value]),
  );
  // A core error about a connection field, named as the client sent it.
  const sentName = (path: string) => {
    const name = changes.get(path as Field)?.name;
    return name ? `jsonContent.${name}` : path;
  };
  await connections.updateOfSource(principal, source, patch).catch((error) => {
    throw renameFields(error, sentName);
  });
}

/** The connections the principal may read, by id: none for those the core forbids to read them. */
export async function readableConnections(services: Pick<Services, 'data'>, principal: Principal) {
  const readable = await services.data.connections.list(principal).catch((error) => {
    if (isRosettaError(error) && error.code === 'ERR_FORBIDDEN') return [];
    throw error;
  });
  return new Map(readable.map((connection) => [connection.id, connection]));
}
