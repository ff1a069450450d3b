import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DuckDbEngine } from './engine.ts';

/**
 * A result the row cap cut keeps its database alive until it is garbage-collected, and DuckDB's
 * instance cache makes the next open of that file wait for it (database.ts): a restart in the same
 * process answered its first query a minute or more later. Closing releases such results.
 */
const dir = await mkdtemp(join(tmpdir(), 'rosetta-duckdb-reopen-'));
const file = join(dir, 'reopen.duckdb');
const open = () => new DuckDbEngine({ type: 'duckdb', file, poolSize: 2 });
afterAll(() => rm(dir, { recursive: true, force: true }));

it('reopens a file at once after closing it with results cut by the row cap', async () => {
  let engine = open();
  await engine.run(
    { sql: 'CREATE TABLE main.t AS SELECT range AS n FROM range(200000)', params: [] },
    { maxRows: 1 },
  );
  for (let round = 0; round < 6; round++) {
    const cut = await engine.run({ sql: 'SELECT n FROM main.t WHERE n >= $1', params: [0] }, { maxRows: 10 });
    expect(cut.truncated).toBe(true);
    await engine.close();
    engine = open();
    const started = Date.now();
    const counted = await engine.run({ sql: 'SELECT count(*) AS c FROM main.t', params: [] }, { maxRows: 1 });
    expect(Number(counted.rows[0][0])).toBe(200000);
    // Without the release the wait lasts until a collection: tens of seconds.
    expect(Date.now() - started).toBeLessThan(10_000);
  }
  await engine.close();
}, 120_000);
