import { afterAll, describe, expect, it } from 'vitest';
import { createTempClickhouseDatabase } from '../../../test/support/clickhouse.ts';
import { codeOf } from '../testkit.ts';
import type { JsonScalar } from '../types.ts';
import { ClickHouseEngine } from './engine.ts';
import { clickhouseIdentifier, clickhouseLiteral, substituteParams } from './literal.ts';

const HOSTILE_STRINGS = [
  "it's",
  "\\' OR 1=1 --",
  'back\\slash\\',
  '\\',
  "''",
  'nul\0inside',
  'tab\tnew\nline\r',
  'unicode: é 中文 🎉',
  '$1 and $2 and $10',
  '`backquoted`',
  '"double"',
  '',
];

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('clickhouseLiteral', () => {
  it('writes NULL, booleans as 1/0 and numbers as SQL numbers', () => {
    expect(clickhouseLiteral(null)).toBe('NULL');
    expect([clickhouseLiteral(true), clickhouseLiteral(false)]).toEqual(['1', '0']);
    expect(clickhouseLiteral(42)).toBe('42');
    expect(clickhouseLiteral(2.5)).toBe('2.5');
    expect(clickhouseLiteral(1e21)).toBe('1e+21');
    // Parenthesized: `5-$1` must not become the comment `5--3`.
    expect(clickhouseLiteral(-3)).toBe('(-3)');
    expect(clickhouseLiteral(-0)).toBe('(0)');
  });

  it('refuses numbers that have no SQL spelling, as a 400 on params', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
      expect(refusal(() => clickhouseLiteral(value))).toMatchObject({
        code: 'ERR_VALIDATION',
        field: 'params',
      });
  });

  it('escapes backslashes before quotes, and NUL', () => {
    expect(clickhouseLiteral("it's")).toBe("'it\\'s'");
    expect(clickhouseLiteral('a\\')).toBe("'a\\\\'");
    expect(clickhouseLiteral("\\'")).toBe("'\\\\\\''");
    expect(clickhouseLiteral('a\0b')).toBe("'a\\0b'");
    expect(clickhouseLiteral('é🎉')).toBe("'é🎉'");
  });

  it('quotes identifiers in backquotes with the same escapes', () => {
    expect(clickhouseIdentifier('plain')).toBe('`plain`');
    expect(clickhouseIdentifier('we`ird\\')).toBe('`we\\`ird\\\\`');
  });
});

describe('substituteParams', () => {
  it('replaces $n outside quoted text only, each value once', () => {
    const sql = "SELECT $1, '$1', `$2`, \"$1\", 'it\\'s $2', 'a''$1', $2, $10";
    const params: JsonScalar[] = ['$2', 'x', 3, 4, 5, 6, 7, 8, 9, 'ten'];
    expect(substituteParams({ sql, params })).toBe(
      "SELECT '$2', '$1', `$2`, \"$1\", 'it\\'s $2', 'a''$1', 'x', 'ten'",
    );
  });

  it('leaves SQL without values as written, and refuses a placeholder without a value', () => {
    expect(substituteParams({ sql: "SELECT '$1' AS a", params: [] })).toBe("SELECT '$1' AS a");
    expect(refusal(() => substituteParams({ sql: 'SELECT $2', params: [1] }))).toMatchObject({
      code: 'ERR_VALIDATION',
      field: 'params',
    });
  });
});

const db = await createTempClickhouseDatabase('rosetta_literal');
afterAll(async () => {
  await db.drop();
});

describe.skipIf(!db.available)('literals on a real ClickHouse server', () => {
  const engine = () => {
    const url = new URL(db.url);
    return new ClickHouseEngine({
      type: 'clickhouse',
      host: url.hostname,
      port: Number(url.port),
      database: db.database,
      user: 'default',
    });
  };

  it('reads back every hostile string exactly, and huge and negative numbers as values', async () => {
    const clickhouse = engine();
    try {
      const select = HOSTILE_STRINGS.map((_, i) => `$${i + 1} AS ${clickhouseIdentifier(`v${i}`)}`);
      const strings = await clickhouse.run(
        { sql: `SELECT ${select.join(', ')}`, params: HOSTILE_STRINGS },
        { maxRows: 1 },
      );
      expect(strings.rows).toEqual([HOSTILE_STRINGS]);
      const numbers = await clickhouse.run(
        {
          // ClickHouse 18.16 compares no Int64 with a text: beyond 2^53 a value is converted explicitly.
          sql: 'SELECT 5-$1 AS a, toInt64($2) + 1 AS b, $3 * 2 AS c, $4 AS d, $5 AS e',
          params: [-3, '9007199254740993', 1e21, null, true],
        },
        { maxRows: 1 },
      );
      expect(numbers.rows).toEqual([[8, '9007199254740994', 2e21, null, 1]]);
      const name = "we`ird\\na'me";
      const named = await clickhouse.run(
        { sql: `SELECT 1 AS ${clickhouseIdentifier(name)}`, params: [] },
        { maxRows: 1 },
      );
      expect(named.columns.map((column) => column.name)).toEqual([name]);
      expect(await codeOf(clickhouse.run({ sql: 'SELECT $1', params: [Number.NaN] }, { maxRows: 1 }))).toBe(
        'ERR_VALIDATION',
      );
    } finally {
      await clickhouse.close();
    }
  });
});
