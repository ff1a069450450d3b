import type { EngineSpec } from './spec.ts';

/**
 * Managed storage on a warehouse every node reaches (`ROSETTA_STORAGE_URL`):
 * `postgres://user:password@host:5432/database?schema=storage&sslmode=require` or
 * `clickhouse://user:password@host:8123/database` (`clickhouses://` over TLS). The spec carries
 * `storage`, which gives its engine the managed-storage methods; tables go in that schema (on
 * ClickHouse, the URL's database).
 */
export type SharedStorageSpec = Extract<EngineSpec, { type: 'postgres' | 'clickhouse' }> & {
  storage: { schema: string };
};

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** The spec of a storage URL; a message naming what is wrong otherwise (the caller says which setting). */
export function sharedStorageSpecOf(text: string): SharedStorageSpec {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('is not a URL');
  }
  const protocol = url.protocol.replace(/:$/, '');
  if (!['postgres', 'postgresql', 'clickhouse', 'clickhouses'].includes(protocol))
    throw new Error('must start with postgres://, clickhouse:// or clickhouses://');
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!IDENTIFIER.test(database))
    throw new Error('must name a database (letters, digits, underscores) as its path, e.g. …/rosetta');
  const server = {
    host: url.hostname,
    database,
    user: decodeURIComponent(url.username),
    ...(url.password && { password: decodeURIComponent(url.password) }),
  };
  if (!server.host) throw new Error('must name a host');
  const port = url.port === '' ? undefined : Number(url.port);
  if (protocol === 'postgres' || protocol === 'postgresql') {
    const schema = url.searchParams.get('schema') ?? 'storage';
    if (!IDENTIFIER.test(schema))
      throw new Error(`schema "${schema}" must be letters, digits and underscores`);
    const sslmode = url.searchParams.get('sslmode');
    return {
      type: 'postgres',
      ...server,
      user: server.user || 'postgres',
      port: port ?? 5432,
      ssl: sslmode !== null && sslmode !== 'disable',
      storage: { schema },
    };
  }
  return {
    type: 'clickhouse',
    ...server,
    user: server.user || 'default',
    port: port ?? (protocol === 'clickhouses' ? 8443 : 8123),
    ssl: protocol === 'clickhouses',
    storage: { schema: database },
  };
}

/** The URL without its password, for logs and the connection shown to users. */
export function describeStorage(spec: SharedStorageSpec): string {
  return `${spec.type}://${spec.user}@${spec.host}:${spec.port}/${spec.database}`;
}
