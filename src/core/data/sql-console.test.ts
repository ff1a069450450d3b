import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../engines/duckdb/engine.ts';
import { RosettaError } from '../errors.ts';
import { runConsoleSql } from './sql-console.ts';

/** What DuckDB answers to a console statement: its rows, or the message of a 400 on `sql`. */
describe('runConsoleSql on DuckDB: one statement that DuckDB types a SELECT', () => {
  let engine: DuckDbEngine;
  const outcome = async (sql: unknown): Promise<unknown> => {
    try {
      return (await runConsoleSql(engine, { sql })).rows;
    } catch (error) {
      return error instanceof RosettaError && error.field === 'sql' ? error.message : String(error);
    }
  };

  beforeAll(async () => {
    engine = new DuckDbEngine({ type: 'duckdb', file: ':memory:', poolSize: 1 });
    await engine.run({ sql: 'CREATE TABLE t AS SELECT 1 AS a', params: [] }, { maxRows: 1 });
  });
  afterAll(async () => {
    await engine.close();
  });

  it('runs one SELECT or WITH statement, with or without its trailing semicolon', async () => {
    expect(await outcome('  select 1;  ')).toEqual([[1]]);
    expect(await outcome('WITH t AS (SELECT 1 AS a) SELECT a FROM t')).toEqual([[1]]);
    expect(await outcome('(select 1) union all (select 2)')).toEqual([[1], [2]]);
    expect(await outcome('from t')).toEqual([[1]]);
    expect(await outcome('-- why; because\n/* a ; b */ select 1; -- done')).toEqual([[1]]);
  });

  it('reads past semicolons inside quotes and comments', async () => {
    expect(await outcome(`select 'a;b', 'it''s;' as "c;d"`)).toEqual([['a;b', "it's;"]]);
  });

  it('refuses other statements, several statements and non-strings, naming the field', async () => {
    expect(await outcome('delete from t')).toBe('sql: must be a SELECT statement, not DELETE');
    expect(await outcome('-- select\ndrop table t')).toBe('sql: must be a SELECT statement, not DROP');
    expect(await outcome('with x as (select 1) insert into t select 2')).toBe(
      'sql: must be a SELECT statement, not INSERT',
    );
    expect(await outcome('drop table nowhere')).toBe('sql: must be a SELECT statement');
    expect(await outcome('pragma version')).toBe('sql: must be a SELECT statement');
    expect(await outcome('select 1; drop table t')).toBe('sql: must be a single statement');
    expect(await outcome('-- nothing but a note')).toBe('sql: must be a SELECT statement');
    expect(await outcome('selective')).toMatch(/^sql: Parser Error: syntax error/);
    expect(await outcome('  ')).toBe('sql: must be a non-empty string');
    expect(await outcome(42)).toBe('sql: must be a non-empty string');
    expect(await outcome('select count(*) from t')).toEqual([[1]]);
  });
});

describe('runConsoleSql', () => {
  it('cancels a statement that outlives the timeout with ERR_TIMEOUT, and the engine stays usable', async () => {
    const engine = new DuckDbEngine({ type: 'duckdb', file: ':memory:', poolSize: 1 });
    try {
      const slow = runConsoleSql(
        engine,
        { sql: 'select count(*) from range(10000000000) a, range(10) b where a.range % 7 = b.range' },
        { timeoutMs: 100 },
      );
      await expect(slow).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
      const quick = await runConsoleSql(engine, { sql: 'select 42 as answer' });
      expect(quick.rows).toEqual([[42]]);
    } finally {
      await engine.close();
    }
  }, 30_000);
});
