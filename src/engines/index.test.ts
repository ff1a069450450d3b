import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RosettaError } from '../core/errors.ts';
import { createEngine, hasManagedStorage } from './index.ts';

describe('createEngine', () => {
  it('builds each dialect, and only DuckDB offers managed storage', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rosetta-engines-'));
    const duckdb = createEngine({ type: 'duckdb', file: join(dir, 'w.duckdb') });
    const postgres = createEngine({ type: 'postgres', host: '127.0.0.1', port: 1, database: 'x', user: 'x' });
    const mysql = createEngine({ type: 'mysql', host: '127.0.0.1', port: 1, database: 'x', user: 'x' });
    expect([duckdb.dialect, postgres.dialect, mysql.dialect]).toEqual(['duckdb', 'postgres', 'mysql']);
    expect([duckdb, postgres, mysql].map(hasManagedStorage)).toEqual([true, false, false]);
    await duckdb.ping();
    for (const unreachable of [postgres, mysql]) {
      const error = await unreachable.ping().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RosettaError);
      expect((error as RosettaError).code).toBe('ERR_ENGINE');
      await unreachable.close();
    }
    await duckdb.close();
    await duckdb.close();
    expect(await duckdb.ping().catch((caught: RosettaError) => caught.code)).toBe('ERR_ENGINE');
    await rm(dir, { recursive: true, force: true });
  });

  it('reports a DuckDB file that cannot be opened as ERR_ENGINE on first use', async () => {
    const engine = createEngine({ type: 'duckdb', file: '/nonexistent-dir/x/w.duckdb' });
    const error = await engine.ping().catch((caught: unknown) => caught);
    expect((error as RosettaError).code).toBe('ERR_ENGINE');
  });
});
