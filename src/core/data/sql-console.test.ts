import { describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../engines/duckdb/engine.ts';
import { RosettaError } from '../errors.ts';
import { checkReadStatement, runConsoleSql } from './sql-console.ts';

const refusal = (sql: unknown): string => {
  try {
    checkReadStatement(sql);
    return 'accepted';
  } catch (error) {
    return error instanceof RosettaError && error.field === 'sql' ? error.message : String(error);
  }
};

describe('checkReadStatement', () => {
  it('keeps one SELECT or WITH statement, without its trailing semicolon', () => {
    expect(checkReadStatement('  select 1;  ')).toBe('select 1');
    expect(checkReadStatement('WITH t AS (SELECT 1 AS a) SELECT a FROM t')).toBe(
      'WITH t AS (SELECT 1 AS a) SELECT a FROM t',
    );
    expect(checkReadStatement('(select 1) union all (select 2)')).toBe('(select 1) union all (select 2)');
    expect(checkReadStatement('-- why; because\n/* a ; b */ select 1; -- done')).toBe(
      '-- why; because\n/* a ; b */ select 1',
    );
  });

  it('reads past semicolons inside quotes and comments', () => {
    expect(checkReadStatement(`select 'a;b', "c;d", 'it''s;' as x`)).toBe(
      `select 'a;b', "c;d", 'it''s;' as x`,
    );
    expect(checkReadStatement('select `a;b` from t')).toBe('select `a;b` from t');
  });

  it('refuses other statements, several statements and non-strings, naming the field', () => {
    expect(refusal('delete from t')).toBe('sql: must be a SELECT statement');
    expect(refusal('-- select\ndrop table t')).toBe('sql: must be a SELECT statement');
    expect(refusal("'select' ; drop table t")).toBe('sql: must be a SELECT statement');
    expect(refusal('select 1; drop table t')).toBe('sql: must be a single statement');
    expect(refusal('select 1;; ')).toBe('sql: must be a single statement');
    expect(refusal('selective')).toBe('sql: must be a SELECT statement');
    expect(refusal('  ')).toBe('sql: must be a non-empty string');
    expect(refusal(42)).toBe('sql: must be a non-empty string');
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
