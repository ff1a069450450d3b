import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf } from '../testkit.ts';
import { DuckDbEngine } from './engine.ts';

/**
 * No SQL on an embedded DuckDB reaches the host: external access is off and locked, and the only
 * directory DuckDB may use is its own staging area, through which Rosetta's CSV loads and COPY
 * exports pass under unguessable names and leave nothing behind.
 */
const dir = await mkdtemp(join(tmpdir(), 'rosetta-duckdb-isolation-'));
const path = (name: string) => join(dir, name);
const open = (name: string) => new DuckDbEngine({ type: 'duckdb', file: path(name), poolSize: 2 });
const quoted = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The message an engine call is refused with (or `resolved`). */
const refusal = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'resolved',
    (error: Error) => error.message,
  );

describe('an embedded DuckDB cannot touch the host', () => {
  let engine: DuckDbEngine;
  let other: DuckDbEngine;
  const run = (sql: string) => engine.run({ sql, params: [] }, { maxRows: 100 });

  beforeAll(async () => {
    await writeFile(path('secret'), 'top secret\n');
    // What a crashed process left in the staging area goes at the next start.
    await mkdir(path('a.duckdb.staging'));
    await writeFile(path('a.duckdb.staging/left-over.csv'), 'x\n1\n');
    engine = open('a.duckdb');
    other = open('b.duckdb');
    await run('CREATE TABLE main.t AS SELECT 1 AS a');
  });
  afterAll(async () => {
    await engine.close();
    await other.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to read, list, attach or write files outside its staging area, whatever runs the SQL', async () => {
    const attempts = [
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM read_text('/etc/passwd')",
      `SELECT * FROM read_blob(${quoted(path('secret'))})`,
      `SELECT * FROM glob(${quoted(`${dir}/*`)})`,
      `ATTACH ${quoted(path('c.duckdb'))} AS c`,
      `COPY main.t TO ${quoted(path('out.csv'))}`,
      `EXPORT DATABASE ${quoted(path('exported'))}`,
      'INSTALL httpfs',
    ];
    for (const sql of attempts) {
      expect(await refusal(run(sql)), sql).toMatch(/disabled by configuration|Permission Error/);
    }
    expect(existsSync(path('out.csv')) || existsSync(path('exported')) || existsSync(path('c.duckdb'))).toBe(
      false,
    );
    // A warehouse another engine of this process holds open cannot be attached either.
    expect(await refusal(run(`ATTACH ${quoted(path('b.duckdb'))} AS b`))).not.toBe('resolved');
    const described = await engine.describeQuery("SELECT * FROM read_csv('/etc/passwd')").catch((e) => e);
    expect(described).toMatchObject({ code: 'ERR_VALIDATION', field: 'sql' });
  });

  it('keeps its configuration locked', async () => {
    for (const sql of [
      'SET enable_external_access = true',
      "SET allowed_directories = ['/']",
      'SET lock_configuration = false',
      'RESET enable_external_access',
    ]) {
      expect(await refusal(run(sql)), sql).toMatch(/configuration has been locked/);
    }
    expect((await run("SELECT current_setting('enable_external_access')")).rows).toEqual([[false]]);
  });

  it('cannot read what another warehouse stages, and cleared what an earlier process staged', async () => {
    expect(await readdir(path('a.duckdb.staging'))).toEqual([]);
    const staged = path('a.duckdb.staging/being-loaded.csv');
    await writeFile(staged, 'x\n42\n');
    try {
      expect((await run(`SELECT x FROM read_csv(${quoted(staged)})`)).rows).toEqual([[42]]);
      const fromOther = other.run(
        { sql: `SELECT x FROM read_csv(${quoted(staged)})`, params: [] },
        { maxRows: 1 },
      );
      expect(await refusal(fromOther)).toMatch(/disabled by configuration/);
      const listed = other.run(
        { sql: `SELECT * FROM glob(${quoted(`${staged}*`)})`, params: [] },
        { maxRows: 1 },
      );
      expect(await refusal(listed)).toMatch(/disabled by configuration/);
    } finally {
      await rm(staged);
    }
  });

  it('still loads CSV files and writes CSV exports anywhere Rosetta asks, leaving nothing staged', async () => {
    const columns = [
      { name: 'id', type: 'integer' as const },
      { name: 'name', type: 'string' as const },
    ];
    await engine.createTable('loaded', columns, ['id']);
    await mkdir(path('uploads'));
    await writeFile(path('uploads/plain.csv'), 'id,name\n1,a\n2,b\n');
    await writeFile(path('uploads/more.csv.gz'), gzipSync('id,name\n3,c\n'));
    const options = { delimiter: ',', header: true };
    expect(
      await engine.loadCsv('loaded', columns, path('uploads/plain.csv'), { ...options, mode: 'replace' }),
    ).toBe(2);
    expect(
      await engine.loadCsv('loaded', columns, path('uploads/more.csv.gz'), { ...options, mode: 'append' }),
    ).toBe(1);
    expect(await engine.countRows('loaded')).toBe(3);

    await mkdir(path('exports'));
    const target = path('exports/loaded.csv');
    const query = { sql: `SELECT id, name FROM ${'"a"."storage"."loaded"'} ORDER BY id`, params: [] };
    const copy = { delimiter: ',', header: true, maxRows: 2 };
    expect(await engine.copyToCsv(query, target, copy)).toEqual({ rows: 2, truncated: true });
    expect(await readFile(target, 'utf8')).toBe('id,name\r\n1,a\r\n2,b\r\n');
    const failed = engine.copyToCsv({ sql: 'SELECT nope', params: [] }, path('exports/failed.csv'), copy);
    expect(await codeOf(failed)).toBe('ERR_ENGINE');
    expect(existsSync(path('exports/failed.csv'))).toBe(false);
    expect(await readdir(path('a.duckdb.staging'))).toEqual([]);
  });

  it('stays confined when a second engine opens the same file in this process', async () => {
    const again = open('a.duckdb');
    try {
      const read = again.run({ sql: "SELECT * FROM read_text('/etc/passwd')", params: [] }, { maxRows: 1 });
      expect(await refusal(read)).toMatch(/disabled by configuration/);
      expect((await again.run({ sql: 'SELECT a FROM main.t', params: [] }, { maxRows: 1 })).rows).toEqual([
        [1],
      ]);
      const target = path('exports/again.csv');
      await again.copyToCsv({ sql: 'SELECT a FROM main.t', params: [] }, target, {
        delimiter: ',',
        header: false,
        maxRows: 10,
      });
      expect(await readFile(target, 'utf8')).toBe('1\r\n');
    } finally {
      await again.close();
    }
    expect((await run('SELECT a FROM main.t')).rows).toEqual([[1]]);
  });
});
