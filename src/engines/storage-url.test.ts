import { describe, expect, it } from 'vitest';
import { describeStorage, sharedStorageSpecOf } from './storage-url.ts';

describe('ROSETTA_STORAGE_URL', () => {
  it('reads PostgreSQL URLs, with a schema and TLS when asked', () => {
    expect(sharedStorageSpecOf('postgres://rosetta:s%40cret@db.internal/warehouse')).toEqual({
      type: 'postgres',
      host: 'db.internal',
      port: 5432,
      database: 'warehouse',
      user: 'rosetta',
      password: 's@cret',
      ssl: false,
      storage: { schema: 'storage' },
    });
    expect(
      sharedStorageSpecOf('postgresql://db:6543/warehouse?schema=rosetta_rows&sslmode=require'),
    ).toMatchObject({ port: 6543, user: 'postgres', ssl: true, storage: { schema: 'rosetta_rows' } });
  });

  it('reads ClickHouse URLs: the database holds the managed tables', () => {
    const spec = sharedStorageSpecOf('clickhouse://ch.internal/analytics');
    expect(spec).toEqual({
      type: 'clickhouse',
      host: 'ch.internal',
      port: 8123,
      database: 'analytics',
      user: 'default',
      ssl: false,
      storage: { schema: 'analytics' },
    });
    expect(sharedStorageSpecOf('clickhouses://u:p@ch:9443/analytics')).toMatchObject({
      port: 9443,
      ssl: true,
    });
    expect(describeStorage(spec)).toBe('clickhouse://default@ch.internal:8123/analytics');
  });

  it('says what is wrong with a bad URL', () => {
    expect(() => sharedStorageSpecOf('not a url')).toThrow('is not a URL');
    expect(() => sharedStorageSpecOf('mysql://db/warehouse')).toThrow('must start with postgres://');
    expect(() => sharedStorageSpecOf('postgres://db/')).toThrow('must name a database');
    expect(() => sharedStorageSpecOf('clickhouse://db/bad-name')).toThrow('must name a database');
    expect(() => sharedStorageSpecOf('postgres://db/w?schema=a;b')).toThrow('schema "a;b"');
  });
});
