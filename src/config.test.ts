import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-config-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const load = (env: Record<string, string> = {}) =>
  loadConfig({ ROSETTA_DATA_DIR: dataDir, ROSETTA_SECRET: 'a-secret-of-sixteen-chars', ...env });

describe('limits', () => {
  it('defaults to the vendor cap and the script limits documented in the README', () => {
    const config = load();
    expect(config.faces.serenytics.maxRows).toBe(20_000);
    expect(config.scriptTimeoutSeconds).toBe(600);
    expect(config.scriptMemoryMb).toBe(512);
  });

  it('reads each limit from the environment', () => {
    const config = load({
      ROSETTA_SERENYTICS_MAX_ROWS: '500',
      ROSETTA_SCRIPT_TIMEOUT_SECONDS: '30',
      ROSETTA_SCRIPT_MEMORY_MB: '256',
    });
    expect(config).toMatchObject({
      faces: { serenytics: { maxRows: 500 } },
      scriptTimeoutSeconds: 30,
      scriptMemoryMb: 256,
    });
  });

  it('keeps the Serenytics cap within the query cap', () => {
    expect(load({ ROSETTA_MAX_QUERY_ROWS: '1000' }).faces.serenytics.maxRows).toBe(1000);
    expect(() => load({ ROSETTA_MAX_QUERY_ROWS: '1000', ROSETTA_SERENYTICS_MAX_ROWS: '5000' })).toThrow(
      'ROSETTA_SERENYTICS_MAX_ROWS must be an integer between 1 and 1000, got "5000"',
    );
  });

  it.each([
    ['ROSETTA_SERENYTICS_MAX_ROWS', '0', 'between 1 and 1000000'],
    ['ROSETTA_SERENYTICS_MAX_ROWS', '1.5', 'between 1 and 1000000'],
    ['ROSETTA_SCRIPT_TIMEOUT_SECONDS', 'ten', 'between 1 and 86400'],
    ['ROSETTA_SCRIPT_TIMEOUT_SECONDS', '86401', 'between 1 and 86400'],
    ['ROSETTA_SCRIPT_MEMORY_MB', '16', 'between 64 and 65536'],
  ])('refuses %s=%s', (name, value, bounds) => {
    const attempt = () => load({ [name]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(`${name} must be an integer ${bounds}, got "${value}"`);
  });
});

describe('export and upload hardening', () => {
  it('escapes formula cells and caps uploads at 1024 MB unless told otherwise', () => {
    expect(load()).toMatchObject({ exportFormulaEscape: true, uploadMaxMb: 1024 });
    expect(load({ ROSETTA_EXPORT_FORMULA_ESCAPE: 'false', ROSETTA_UPLOAD_MAX_MB: '5' })).toMatchObject({
      exportFormulaEscape: false,
      uploadMaxMb: 5,
      faces: { serenytics: { escapeFormulas: false } },
    });
  });

  it('refuses a value that is not a flag or a size, naming the setting', () => {
    expect(() => load({ ROSETTA_EXPORT_FORMULA_ESCAPE: 'maybe' })).toThrow(
      'ROSETTA_EXPORT_FORMULA_ESCAPE must be true or false, got "maybe"',
    );
    expect(() => load({ ROSETTA_UPLOAD_MAX_MB: '0' })).toThrow(
      'ROSETTA_UPLOAD_MAX_MB must be an integer between 1 and 1048576, got "0"',
    );
  });
});

describe('the public URL', () => {
  it('is optional, and kept without its trailing slash', () => {
    expect(load().publicUrl).toBeUndefined();
    expect(load({ ROSETTA_PUBLIC_URL: 'https://bi.example.com/rosetta/' }).publicUrl).toBe(
      'https://bi.example.com/rosetta',
    );
  });

  it.each(['bi.example.com', 'ftp://bi.example.com', 'https://bi.example.com/?x=1'])(
    'refuses %s',
    (value) => {
      expect(() => load({ ROSETTA_PUBLIC_URL: value })).toThrow(/^ROSETTA_PUBLIC_URL /);
    },
  );
});

describe('request limits of the faces', () => {
  it('are off unless set, and read per face', () => {
    const { faces } = load();
    expect(faces.native.requestsPerMinute).toBe(0);
    expect(faces.serenytics.requestsPerMinute).toBe(0);
    const set = load({
      ROSETTA_NATIVE_RATE_LIMIT_PER_MINUTE: '600',
      ROSETTA_SERENYTICS_RATE_LIMIT_PER_MINUTE: '120',
    }).faces;
    expect(set.native.requestsPerMinute).toBe(600);
    expect(set.serenytics.requestsPerMinute).toBe(120);
  });

  it.each([
    ['ROSETTA_NATIVE_RATE_LIMIT_PER_MINUTE', '-1'],
    ['ROSETTA_NATIVE_RATE_LIMIT_PER_MINUTE', 'many'],
    ['ROSETTA_SERENYTICS_RATE_LIMIT_PER_MINUTE', '2.5'],
    ['ROSETTA_SERENYTICS_RATE_LIMIT_PER_MINUTE', '1000001'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => load({ [name]: value })).toThrow(
      `${name} must be an integer between 0 and 1000000, got "${value}"`,
    );
  });
});

describe('operations', () => {
  it('serves metrics without a token and lets jobs finish for 25 s on shutdown unless told otherwise', () => {
    expect(load()).toMatchObject({ metricsToken: undefined, shutdownGraceSeconds: 25 });
    expect(
      load({ ROSETTA_METRICS_TOKEN: 'scrape-me-0123456789', ROSETTA_SHUTDOWN_GRACE_SECONDS: '0' }),
    ).toMatchObject({ metricsToken: 'scrape-me-0123456789', shutdownGraceSeconds: 0 });
  });

  it('refuses a guessable or malformed metrics token and a negative grace, naming the setting', () => {
    for (const token of ['short', 'has a space in the middle of it', 'x'.repeat(257)])
      expect(() => load({ ROSETTA_METRICS_TOKEN: token })).toThrow(
        'ROSETTA_METRICS_TOKEN must be 16 to 256 printable characters without spaces',
      );
    expect(() => load({ ROSETTA_SHUTDOWN_GRACE_SECONDS: '-1' })).toThrow(
      'ROSETTA_SHUTDOWN_GRACE_SECONDS must be an integer between 0 and 3600, got "-1"',
    );
  });
});

describe('the cluster bus', () => {
  it('takes a redis:// or rediss:// URL, and none by default', () => {
    expect(load().redisUrl).toBeUndefined();
    expect(load({ ROSETTA_REDIS_URL: 'redis://127.0.0.1:6379/2' }).redisUrl).toBe('redis://127.0.0.1:6379/2');
    expect(load({ ROSETTA_REDIS_URL: 'rediss://user:pw@cache.example:6380' }).redisUrl).toBe(
      'rediss://user:pw@cache.example:6380',
    );
  });

  it.each(['http://127.0.0.1:6379', '127.0.0.1:6379', 'redis://'])(
    'refuses %s, naming the setting',
    (url) => {
      const attempt = () => load({ ROSETTA_REDIS_URL: url });
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow('ROSETTA_REDIS_URL must be a redis:// or rediss:// URL');
    },
  );
});

describe('shared files', () => {
  it('keeps files in the data dir by default, on the directory store', () => {
    const config = load();
    expect(config.filesDir).toBe(config.dataDir);
    expect(config.filesStore).toBe('directory');
  });

  it('takes ROSETTA_FILES_DIR as an absolute path, created private when missing', () => {
    const config = load({ ROSETTA_FILES_DIR: join(dataDir, 'shared', '..', 'files') });
    expect(config.filesDir).toBe(join(dataDir, 'files'));
    expect(statSync(config.filesDir).mode & 0o777).toBe(0o700);
    expect(config.filesStore).toBe('directory');
  });

  it('puts managed storage on the warehouse of ROSETTA_STORAGE_URL, or refuses it naming the variable', () => {
    expect(load({}).sharedStorage).toBeUndefined();
    expect(load({ ROSETTA_STORAGE_URL: 'clickhouse://ch/rosetta' }).sharedStorage).toMatchObject({
      type: 'clickhouse',
      database: 'rosetta',
    });
    expect(() => load({ ROSETTA_STORAGE_URL: 'duckdb:///tmp/x' })).toThrow(
      'ROSETTA_STORAGE_URL must start with postgres://, clickhouse:// or clickhouses://',
    );
  });

  it('publishes files to PostgreSQL when the metadata is there and no files dir is set', () => {
    const postgres = { DATABASE_URL: 'postgres://rosetta@db.example/rosetta' };
    expect(load(postgres).filesStore).toBe('postgres');
    expect(load(postgres).filesDir).toBe(dataDir);
    expect(load({ ...postgres, ROSETTA_FILES_DIR: join(dataDir, 'nfs') }).filesStore).toBe('directory');
  });
});
