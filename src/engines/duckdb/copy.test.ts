import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCsv } from '../../core/exports/csv.ts';
import { codeOf } from '../testkit.ts';
import type { CompiledQuery } from '../types.ts';
import { DuckDbEngine } from './engine.ts';

const dir = await mkdtemp(join(tmpdir(), 'rosetta-duckdb-copy-'));
const file = (name: string) => join(dir, name);
const options = { delimiter: ',', header: true, maxRows: 100 };

/** Values that CSV must quote or that the stream path reformats, and a NULL in every column. */
const tricky: CompiledQuery = {
  sql: `SELECT * FROM (VALUES
      (1, 'plain', 12.30::DECIMAL(10,2), 0.1::FLOAT, TIMESTAMP '2024-02-29 13:14:15.678',
       TIMESTAMPTZ '2024-02-29 13:14:15+02', DATE '2024-02-29', [1, 2], true, 9007199254740993::BIGINT),
      (2, 'a,b "q" ' || chr(10) || 'next' || chr(13), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (3, '', -1.5, 2.5, TIMESTAMP '1999-12-31 23:59:59', NULL, NULL, [], false, 1),
      (4, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL),
      (5, NULL, 1e6, 'nan', NULL, NULL, NULL, NULL, NULL, NULL),
      (6, NULL, NULL, '-infinity', NULL, NULL, NULL, NULL, NULL, NULL)
    ) AS t("id", "text, with comma", "dec", "f", "ts", "tstz", "day", "list", "ok", "big"),
    (VALUES (2.0::DOUBLE)) AS w("whole")
    WHERE "id" <= $1 ORDER BY "id"`,
  params: [6],
};

describe('DuckDbEngine.copyToCsv', () => {
  let engine: DuckDbEngine;
  beforeAll(() => {
    engine = new DuckDbEngine({ type: 'duckdb', file: file('copy.duckdb'), poolSize: 2 });
  });
  afterAll(async () => {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the same bytes as writeCsv over the stream path', async () => {
    expect(await engine.copyToCsv(tricky, file('copy.csv'), options)).toEqual({ rows: 6, truncated: false });
    await writeCsv(await engine.stream(tricky, {}), file('stream.csv'));
    const copied = await readFile(file('copy.csv'), 'utf8');
    expect(copied).toBe(await readFile(file('stream.csv'), 'utf8'));
    expect(parse(copied)).toEqual([
      ['id', 'text, with comma', 'dec', 'f', 'ts', 'tstz', 'day', 'list', 'ok', 'big', 'whole'],
      [
        '1',
        'plain',
        '12.3',
        String(Math.fround(0.1)),
        '2024-02-29T13:14:15.678Z',
        '2024-02-29T11:14:15.000Z',
        '2024-02-29',
        '[1,2]',
        'true',
        '9007199254740993',
        '2',
      ],
      ['2', 'a,b "q" \nnext\r', '', '', '', '', '', '', '', '', '2'],
      ['3', '', '-1.5', '2.5', '1999-12-31T23:59:59.000Z', '', '', '[]', 'false', '1', '2'],
      ['4', '', '0', '0', '', '', '', '', '', '', '2'],
      ['5', '', '1000000', 'NaN', '', '', '', '', '', '', '2'],
      ['6', '', '', '-Infinity', '', '', '', '', '', '', '2'],
    ]);
  });

  it('neutralises formula cells exactly as writeCsv does, and writes them raw when asked', async () => {
    const hostile: CompiledQuery = {
      sql: `SELECT * FROM (VALUES
          ('=1+2', -5, '-5', '+x', '@SUM(A1)', chr(9) || 'tab', chr(13) || 'cr', 'plain', '''q',
           -9007199254740993::BIGINT, '-infinity'::DOUBLE, '=x'::BLOB),
          (NULL, NULL, '', '=a,b', NULL, NULL, NULL, NULL, NULL, NULL, -1.5, NULL)
        ) AS t("=cmd", "n", "text", "plus", "at", "tab", "cr", "plain", "quoted", "big", "f", "blob")
        WHERE "plain" = $1 OR "plain" IS NULL`,
      params: ['plain'],
    };
    for (const escapeFormulas of [true, false]) {
      const copied = file(`hostile-${escapeFormulas}.csv`);
      const streamed = file(`hostile-stream-${escapeFormulas}.csv`);
      await engine.copyToCsv(hostile, copied, { ...options, escapeFormulas });
      await writeCsv(await engine.stream(hostile, {}), streamed, { escapeFormulas });
      expect(await readFile(copied, 'utf8')).toBe(await readFile(streamed, 'utf8'));
    }
    expect(parse(await readFile(file('hostile-true.csv'), 'utf8'))).toEqual([
      ["'=cmd", 'n', 'text', 'plus', 'at', 'tab', 'cr', 'plain', 'quoted', 'big', 'f', 'blob'],
      [
        "'=1+2",
        '-5',
        "'-5",
        "'+x",
        "'@SUM(A1)",
        "'\ttab",
        "'\rcr",
        'plain',
        "'q",
        '-9007199254740993',
        '-Infinity',
        "'=x",
      ],
      ['', '', '', "'=a,b", '', '', '', '', '', '', '-1.5', ''],
    ]);
    expect(parse(await readFile(file('hostile-false.csv'), 'utf8'))[1]).toEqual([
      '=1+2',
      '-5',
      '-5',
      '+x',
      '@SUM(A1)',
      '\ttab',
      '\rcr',
      'plain',
      "'q",
      '-9007199254740993',
      '-Infinity',
      '=x',
    ]);
  });

  it('keeps exactly maxRows rows and reports the cut', async () => {
    const series = { sql: 'SELECT range AS n FROM range(1, $1 + 1)', params: [1000] };
    const cut = await engine.copyToCsv(series, file('cut.csv'), { ...options, maxRows: 999 });
    expect(cut).toEqual({ rows: 999, truncated: true });
    const rows = parse(await readFile(file('cut.csv'), 'utf8')) as string[][];
    expect(rows).toHaveLength(1000);
    expect(rows.at(-1)).toEqual(['999']);
    const whole = await engine.copyToCsv(series, file('whole.csv'), { ...options, maxRows: 1000 });
    expect(whole).toEqual({ rows: 1000, truncated: false });
  });

  it('honours the delimiter and header options', async () => {
    const query = { sql: `SELECT 'a;b' AS x, 2 AS y`, params: [] };
    await engine.copyToCsv(query, file('semi.csv'), { ...options, delimiter: ';', header: false });
    expect(await readFile(file('semi.csv'), 'utf8')).toBe('"a;b";2\r\n');
  });

  it('cancels a long copy through its signal and keeps the pool usable', async () => {
    const slow = {
      sql: 'SELECT count(*) AS n FROM range(100000000) a, range(1000000) b WHERE a.range + b.range = 7',
      params: [],
    };
    const controller = new AbortController();
    const started = Date.now();
    const running = codeOf(
      engine.copyToCsv(slow, file('slow.csv'), { ...options, signal: controller.signal }),
    );
    setTimeout(() => controller.abort(), 200);
    expect(await running).toBe('ERR_CANCELLED');
    expect(Date.now() - started).toBeLessThan(2000);
    const results = await Promise.all(
      [1, 2, 3].map(() => engine.run({ sql: 'SELECT 7', params: [] }, options)),
    );
    expect(results.map((r) => r.rows)).toEqual([[[7]], [[7]], [[7]]]);
  });
});
